package io.c2f.controller.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.c2f.controller.config.ControllerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC database: a small HikariCP pool, Flyway migrations from {@code db/migration}, and a
 * worker executor as wide as the pool, so at most that many blocking calls run at once and none
 * on an event loop.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** One unit of blocking JDBC work on a borrowed connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final HikariDataSource dataSource;
    private final WorkerExecutor executor;
    private final String url;

    private Database(HikariDataSource dataSource, WorkerExecutor executor, String url) {
        this.dataSource = dataSource;
        this.executor = executor;
        this.url = url;
    }

    /** Opens the pool and migrates the schema. Blocks: call from a worker. */
    public static Database open(Vertx vertx, ControllerConfig config) {
        String url = config.effectiveDbUrl();
        if (config.dbUrl().isEmpty()) {
            try {
                Files.createDirectories(config.dataDir().resolve("db"));
            } catch (IOException e) {
                throw new StoreException("cannot create database directory under " + config.dataDir() + ": "
                        + e.getMessage(), e);
            }
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("c2f-db");
        hc.setJdbcUrl(url);
        hc.setUsername(config.dbUser());
        hc.setPassword(config.dbPassword());
        hc.setMaximumPoolSize(config.dbPoolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(10_000);
        hc.setInitializationFailTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to database " + redact(url) + " as '" + config.dbUser() + "': "
                    + rootMessage(e), e);
        }
        try {
            migrate(ds);
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreException("migrating database " + redact(url) + " failed: " + rootMessage(e), e);
        }
        WorkerExecutor executor = vertx.createSharedWorkerExecutor("c2f-db-" + System.identityHashCode(ds),
                config.dbPoolSize());
        LOG.info("database {} ready (pool of {})", redact(url), config.dbPoolSize());
        return new Database(ds, executor, url);
    }

    static MigrateResult migrate(DataSource ds) {
        MigrateResult result = Flyway.configure().dataSource(ds).locations("classpath:db/migration")
                .failOnMissingLocations(true).load().migrate();
        LOG.info("database schema at version {} ({} migrations applied now)", result.targetSchemaVersion,
                result.migrationsExecuted);
        return result;
    }

    /** Runs blocking JDBC work on the database workers. */
    public <T> Future<T> execute(Work<T> work) {
        return executor.executeBlocking(() -> {
            try (Connection c = dataSource.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                throw new StoreException("database error on " + redact(url) + ": " + e.getMessage()
                        + " (SQLState " + e.getSQLState() + ")", e);
            }
        }, false);
    }

    /** Runs blocking JDBC work in one transaction. */
    public <T> Future<T> inTransaction(Work<T> work) {
        return execute(c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    /** Closes the pool. Blocks briefly. */
    @Override
    public void close() {
        executor.close();
        dataSource.close();
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
    }
}
