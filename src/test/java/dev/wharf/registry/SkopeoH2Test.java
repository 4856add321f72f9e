package dev.wharf.registry;

import dev.wharf.testing.Backend;

class SkopeoH2Test extends SkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
