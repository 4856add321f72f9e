package dev.wharf.repositories;

import dev.wharf.storage.BlobStore;
import java.sql.Connection;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A schema version that needs the blob store (to read stored manifests), run by Flyway in its own transaction on its
 * own connection; a subclass says what it does with a handle on that connection.
 */
abstract class StoreMigration implements JavaMigration {
    private final int version;
    private final String description;
    protected final BlobStore store;

    StoreMigration(int version, String description, BlobStore store) {
        this.version = version;
        this.description = description;
        this.store = store;
    }

    /** The migration's work, in Flyway's transaction. */
    protected abstract void migrate(Handle h);

    @Override
    public final MigrationVersion getVersion() {
        return MigrationVersion.fromVersion(Integer.toString(version));
    }

    @Override
    public final String getDescription() {
        return description;
    }

    @Override
    public final Integer getChecksum() {
        return version;
    }

    @Override
    public final boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public final void migrate(Context context) {
        Connection connection = context.getConnection();
        // Flyway owns the connection and its transaction: the handle must neither close nor commit it.
        Jdbi jdbi = Jdbi.create(new ConnectionFactory() {
            @Override
            public Connection openConnection() {
                return connection;
            }

            @Override
            public void closeConnection(Connection conn) {
                // Flyway closes it
            }
        });
        try (Handle h = jdbi.open()) {
            migrate(h);
        }
    }
}
