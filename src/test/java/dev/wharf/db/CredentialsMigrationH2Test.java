package dev.wharf.db;

import dev.wharf.testing.Backend;

class CredentialsMigrationH2Test extends CredentialsMigrationTest {
    @Override
    Backend backend() {
        return Backend.H2;
    }
}
