package dev.wharf.db;

import dev.wharf.testing.Backend;

class CredentialsMigrationPostgresTest extends CredentialsMigrationTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
