package dev.wharf.gc;

import dev.wharf.testing.Backend;

class GarbageCollectionH2Test extends GarbageCollectionTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
