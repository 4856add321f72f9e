package dev.wharf.gitlab;

import dev.wharf.testing.Backend;

class CrossDialectPostgresTest extends CrossDialectTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
