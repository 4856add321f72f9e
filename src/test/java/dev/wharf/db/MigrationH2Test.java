package dev.wharf.db;

import dev.wharf.testing.Backend;

class MigrationH2Test extends MigrationTest {
    @Override
    Backend backend() {
        return Backend.H2;
    }
}
