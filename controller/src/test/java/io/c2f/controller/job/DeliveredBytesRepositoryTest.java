package io.c2f.controller.job;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.controller.testing.EngineDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bytes-sent columns of the jobs table (migration V9) on H2 and PostgreSQL: a tally lands on
 * the newest job of the device for the bundle, adds up over writes (several controllers each add
 * theirs), skips devices without such a job, and is read back per job of a rollout with its
 * bundle's payload size.
 */
@ExtendWith(VertxExtension.class)
class DeliveredBytesRepositoryTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void talliesAddUpOnTheNewestJobOfTheDeviceForTheBundle(String engine, Vertx vertx) throws Exception {
        EngineDatabase.with(vertx, engine, dir, db -> {
            JobRepository jobs = new JobRepository(db);
            result(db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO bundles (id, name, version, model_sha256, "
                        + "payload_sha256, payload_size, chunk_size, chunk_count, signed_manifest, key_id, created_ms) "
                        + "VALUES ('b-1', 'b', '1', 'm', 'p', 100000, 65536, 2, ?, 'k', 1)")) {
                    ps.setBytes(1, new byte[] {1});
                    ps.executeUpdate();
                }
                JobRepository.insert(c, Job.queued("old", "r-0", 0, "dev-1", JobKind.INSTALL, "b-1", null, 1, 1, 10));
                JobRepository.insert(c, Job.queued("new", "r-1", 0, "dev-1", JobKind.INSTALL, "b-1", null, 1, 1, 20));
                JobRepository.insert(c, Job.queued("other", "r-1", 0, "dev-2", JobKind.INSTALL, "b-1", null, 1, 1, 20));
                return null;
            }));
            result(jobs.addDelivered(Map.of("dev-1", Map.of("b-1", new Delivered(1, 65_536, 0)),
                    "ghost", Map.of("b-1", new Delivered(9, 9, 0)))));
            result(jobs.addDelivered(Map.of("dev-1", Map.of("b-1", new Delivered(1, 34_464, 0)))));
            Map<String, Delivered> r1 = result(db.execute(c -> JobRepository.deliveredOfRollout(c, "r-1")));
            assertEquals(Map.of("new", new Delivered(2, 100_000, 100_000), "other", new Delivered(0, 0, 100_000)), r1);
            assertEquals(Map.of("old", new Delivered(0, 0, 100_000)),
                    result(db.execute(c -> JobRepository.deliveredOfRollout(c, "r-0"))));
        });
    }
}
