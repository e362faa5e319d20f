package io.c2f.controller.enrol;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.api.ConflictException;
import io.c2f.controller.testing.EngineDatabase;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * V7__enrolment.sql and the repository's SQL on both engines: tokens with and without their
 * optional fields, unique ids, revocation, pending requests, and acceptance counting a use only
 * while the token has one left; every decision is conditional on the state it starts from.
 */
@Timeout(120)
class EnrolmentRepositoryTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void tokensAndDecisions(String engine) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            EngineDatabase.with(vertx, engine, dir.resolve("data"), db -> {
                EnrolmentRepository repo = new EnrolmentRepository(db);
                TokenRecord one = new TokenRecord("one", "a".repeat(64), Map.of("site", "lab"), 2_000L, 1, 0, false, 1_000L,
                        null);
                TokenRecord open = new TokenRecord("open", "b".repeat(64), Map.of(), null, null, 0, true, 1_001L, null);
                result(repo.insertToken(one));
                result(repo.insertToken(open));
                assertConflict(() -> result(repo.insertToken(one)));
                assertEquals(List.of(one, open), result(repo.tokens()));
                assertEquals(open, result(repo.token("open")).orElseThrow(), "NULL expiry and max uses round trip");

                EnrolmentRecord a = pending("dev-a", "one");
                assertTrue(result(repo.savePending(a, List.of(EnrolmentState.REJECTED))));
                assertFalse(result(repo.savePending(pending("dev-a", "open"), List.of(EnrolmentState.REJECTED))),
                        "a pending id is not replaced");
                assertTrue(result(repo.savePending(pending("dev-b", "one"), List.of(EnrolmentState.REJECTED))));
                assertEquals(2, result(repo.enrolments(EnrolmentState.PENDING)).size());

                EnrolmentRecord accepted = result(repo.accept("dev-a", List.of("camera=usb", "site=lab"), 3_000L))
                        .orElseThrow();
                assertEquals(EnrolmentState.ACCEPTED, accepted.state());
                assertEquals(1, result(repo.token("one")).orElseThrow().uses());
                assertTrue(result(repo.accept("dev-a", List.of(), 3_001L)).isEmpty(), "accepted once only");
                assertConflict(() -> result(repo.accept("dev-b", List.of(), 3_002L)));
                assertEquals(EnrolmentState.PENDING, result(repo.enrolment("dev-b")).orElseThrow().state(),
                        "a used-up token leaves the request pending");
                assertEquals(1, result(repo.token("one")).orElseThrow().uses());

                assertTrue(result(repo.decide("dev-a", EnrolmentState.PENDING, EnrolmentState.REJECTED, "x", 4_000L))
                        .isEmpty(), "decisions start from the state they name");
                EnrolmentRecord rejected = result(repo.decide("dev-b", EnrolmentState.PENDING, EnrolmentState.REJECTED,
                        "unknown", 4_001L)).orElseThrow();
                assertEquals("unknown", rejected.reason());
                assertTrue(result(repo.savePending(pending("dev-b", "open"), List.of(EnrolmentState.REJECTED))),
                        "a rejected id may ask again");
                assertEquals("open", result(repo.enrolment("dev-b")).orElseThrow().tokenId());

                assertNull(result(repo.token("one")).orElseThrow().revokedMs());
                assertEquals(5_000L, result(repo.revokeToken("one", 5_000L)).orElseThrow().revokedMs());
                assertEquals(5_000L, result(repo.revokeToken("one", 6_000L)).orElseThrow().revokedMs(), "revoked once");
                assertTrue(result(repo.revokeToken("none", 6_000L)).isEmpty());
                assertFalse(result(repo.deviceKnown("dev-a")), "no birth yet");
            });
        } finally {
            result(vertx.close());
        }
    }

    private static EnrolmentRecord pending(String device, String token) {
        return new EnrolmentRecord(device, token, "req-" + device, EnrolmentState.PENDING, "pbkdf2-sha256$1$AA==$AA==",
                "0.9.0", null, List.of("camera=usb"), null, 2_500L, null);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertConflict(Call call) {
        Exception e = assertThrows(Exception.class, call::run);
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        assertTrue(cause instanceof ConflictException, "expected a conflict, got " + cause);
    }
}
