package dev.wharf.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The metadata databases every data-access test runs against. PostgreSQL tests read {@code WHARF_TEST_POSTGRES_URL}
 * (a JDBC URL); when it is unset they are skipped, and the skip is printed.
 */
public enum Backend {
    H2, POSTGRES;

    public static final String POSTGRES_ENV = "WHARF_TEST_POSTGRES_URL";

    public static String postgresUrl() {
        String url = System.getenv(POSTGRES_ENV);
        return url == null || url.isBlank() ? null : url.trim();
    }

    /**
     * {@link #freshJdbcUrl} for a test that starts its own server process, which skips the test, visibly, when the
     * PostgreSQL backend is not configured.
     */
    public String freshJdbcUrlOrSkip(Class<?> test) {
        if (this == POSTGRES && postgresUrl() == null) {
            System.err.println("SKIPPED " + test.getSimpleName() + ": set " + POSTGRES_ENV);
            org.junit.jupiter.api.Assumptions.assumeTrue(false, POSTGRES_ENV + " is not set");
        }
        return freshJdbcUrl();
    }

    /**
     * A JDBC URL for a fresh, empty database of this backend: null for H2 (the server's default file database in its
     * own data dir), or a new PostgreSQL schema so that test classes never see each other's data.
     */
    public String freshJdbcUrl() {
        if (this == H2) {
            return null;
        }
        String base = postgresUrl();
        if (base == null) {
            throw new IllegalStateException(POSTGRES_ENV + " is not set");
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema on " + POSTGRES_ENV + ": " + e.getMessage(), e);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
