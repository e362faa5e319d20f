package io.c2f.controller.testing;

import static io.c2f.controller.testing.Await.result;

import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.store.Database;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The controller's database on one engine, for repository tests that run the same migrations and
 * SQL on both: {@code "h2"}, the embedded default under a directory, or {@code "postgres"}, a fresh
 * database on the local server ({@link PostgresDatabase}; the test is skipped when none answers).
 */
public final class EngineDatabase {
    private EngineDatabase() {
    }

    /** What runs against the open database. */
    public interface Body {
        void run(Database db) throws Exception;
    }

    /** Opens the database (migrated), runs body, then closes it and drops a PostgreSQL database. */
    public static void with(Vertx vertx, String engine, Path dataDir, Body body) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of("data.dir", dataDir.toString(), "fleet", "lab"));
        PostgresDatabase pg = null;
        if (engine.equals("postgres")) {
            Assumptions.assumeTrue(PostgresDatabase.available(), "PostgreSQL on 127.0.0.1:5432 is not reachable");
            pg = PostgresDatabase.create();
            values.put("db.url", pg.url());
            values.put("db.user", PostgresDatabase.USER);
            values.put("db.password", PostgresDatabase.PASSWORD);
        } else if (!engine.equals("h2")) {
            throw new IllegalArgumentException("engine must be h2 or postgres, got " + engine);
        }
        ControllerConfig config = ConfigLoader.fromMap(values);
        Database db = result(vertx.executeBlocking(() -> Database.open(vertx, config)));
        try {
            body.run(db);
        } finally {
            db.close();
            if (pg != null) {
                pg.close();
            }
        }
    }
}
