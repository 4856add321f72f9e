package dev.wharf.db;

import dev.wharf.testing.Backend;

class MigrationPostgresTest extends MigrationTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
