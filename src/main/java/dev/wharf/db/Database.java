package dev.wharf.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jdbi.v3.core.Jdbi;

/**
 * The metadata database: a HikariCP pool, Flyway migrations (one set for H2 and PostgreSQL, SQL and Java) and a Jdbi
 * handle.
 *
 * <p>A request never waits long for a connection: when the database cannot be reached, getting one fails after
 * {@link #CONNECTION_TIMEOUT}, the request is answered 503, and the pool reconnects by itself once the database is
 * back.
 */
public final class Database implements AutoCloseable {
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;
    private final Invalidations invalidations;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
        this.invalidations = postgres
                ? Invalidations.postgres(dataSource.getJdbcUrl(), channel(jdbi.withHandle(h -> h.createQuery(
                        "SELECT current_schema()").mapTo(String.class).one())))
                : Invalidations.local();
    }

    /**
     * The notification channel of the nodes that share this schema: channels are per database, and two
     * installations (or test classes) may share a database in separate schemas.
     */
    static String channel(String schema) {
        String name = "wharf_invalidations_" + schema;
        return name.length() <= 63 && name.matches("[A-Za-z0-9_]+") ? name
                : "wharf_invalidations_" + Integer.toHexString(schema.hashCode());
    }

    /** Opens the pool and migrates the schema to the latest version. */
    public static Database open(String jdbcUrl, MeterRegistry meters, JavaMigration... javaMigrations) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("wharf");
        config.setMaximumPoolSize(jdbcUrl.startsWith("jdbc:h2:") ? 16 : 20);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        config.setValidationTimeout(Math.min(CONNECTION_TIMEOUT.toMillis(), 2_000));
        // A connection to a database that closed itself (H2 does after an I/O error such as a full disk) never works
        // again: the pool drops it, and the next connection opens the database anew once the cause is gone.
        config.setExceptionOverride(new SQLExceptionOverride() {
            @java.lang.Override // Hikari's own enum is called Override
            public SQLExceptionOverride.Override adjudicate(SQLException e) {
                return DatabaseFailures.isUnavailable(e) || DatabaseFailures.isDiskFull(e)
                        ? SQLExceptionOverride.Override.MUST_EVICT : SQLExceptionOverride.Override.CONTINUE_EVICT;
            }
        });
        if (meters != null) {
            config.setMetricRegistry(meters);
        }
        HikariDataSource ds = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").javaMigrations(javaMigrations)
                    .load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** How this node tells the others that what they may cache has changed. */
    public Invalidations invalidations() {
        return invalidations;
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** Whether a connection can be had and answers, within the pool's validation time. */
    public boolean isReachable() {
        try (var connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (java.sql.SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        invalidations.close();
        dataSource.close();
    }
}
