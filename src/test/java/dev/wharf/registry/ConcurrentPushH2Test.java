package dev.wharf.registry;

import dev.wharf.testing.Backend;

class ConcurrentPushH2Test extends ConcurrentPushTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
