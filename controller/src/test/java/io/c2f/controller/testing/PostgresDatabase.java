package io.c2f.controller.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database on the local PostgreSQL (127.0.0.1:5432) for one test class, dropped
 * afterwards. Logs in as the test role {@code c2f_test} (password {@code c2f_test}, CREATEDB) that
 * {@code .ci/run} creates, so it works with the default password authentication of a fresh
 * PostgreSQL install; override with C2F_TEST_PG_USER / C2F_TEST_PG_PASSWORD.
 */
public final class PostgresDatabase implements AutoCloseable {
    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    public static final String USER = env("C2F_TEST_PG_USER", "c2f_test");
    public static final String PASSWORD = env("C2F_TEST_PG_PASSWORD", "c2f_test");
    private final String name;

    private PostgresDatabase(String name) {
        this.name = name;
    }

    private static String env(String key, String dflt) {
        String v = System.getenv(key);
        return v == null || v.isEmpty() ? dflt : v;
    }

    /** Whether the server answers for the test role; tests are skipped (Assumptions) when not. */
    public static boolean available() {
        try (Connection c = DriverManager.getConnection(ADMIN_URL + "?connectTimeout=2", USER, PASSWORD)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    public static PostgresDatabase create() throws SQLException {
        String name = "c2f_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new PostgresDatabase(name);
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:5432/" + name;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
