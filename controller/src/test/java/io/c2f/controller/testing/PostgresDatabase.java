package io.c2f.controller.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database on the local PostgreSQL (127.0.0.1:5432, user postgres, trust auth) for one
 * test class, dropped afterwards.
 */
public final class PostgresDatabase implements AutoCloseable {
    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    public static final String USER = "postgres";
    private final String name;

    private PostgresDatabase(String name) {
        this.name = name;
    }

    /** Whether the server answers; tests are skipped (Assumptions) when not. */
    public static boolean available() {
        try (Connection c = DriverManager.getConnection(ADMIN_URL + "?connectTimeout=2", USER, "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    public static PostgresDatabase create() throws SQLException {
        String name = "c2f_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new PostgresDatabase(name);
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:5432/" + name;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
