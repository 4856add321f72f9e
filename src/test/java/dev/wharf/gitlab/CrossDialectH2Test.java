package dev.wharf.gitlab;

import dev.wharf.testing.Backend;

class CrossDialectH2Test extends CrossDialectTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
