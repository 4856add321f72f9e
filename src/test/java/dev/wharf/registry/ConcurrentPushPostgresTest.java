package dev.wharf.registry;

import dev.wharf.testing.Backend;

class ConcurrentPushPostgresTest extends ConcurrentPushTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
