package dev.wharf.gc;

import dev.wharf.testing.Backend;

class ConcurrentCollectionPostgresTest extends ConcurrentCollectionTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
