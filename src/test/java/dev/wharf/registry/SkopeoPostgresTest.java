package dev.wharf.registry;

import dev.wharf.testing.Backend;

class SkopeoPostgresTest extends SkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
