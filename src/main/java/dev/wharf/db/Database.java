package dev.wharf.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The metadata database: a HikariCP pool, Flyway migrations (one set for H2 and PostgreSQL) and a Jdbi handle.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    /** Opens the pool and migrates the schema to the latest version. */
    public static Database open(String jdbcUrl, MeterRegistry meters) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("wharf");
        config.setMaximumPoolSize(jdbcUrl.startsWith("jdbc:h2:") ? 16 : 20);
        config.setMinimumIdle(2);
        if (meters != null) {
            config.setMetricRegistry(meters);
        }
        HikariDataSource ds = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public boolean isPostgres() {
        return postgres;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
