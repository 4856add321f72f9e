package dev.wharf.gc;

import dev.wharf.testing.Backend;

class GarbageCollectionPostgresTest extends GarbageCollectionTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
