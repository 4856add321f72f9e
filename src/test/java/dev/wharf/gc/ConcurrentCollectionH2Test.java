package dev.wharf.gc;

import dev.wharf.testing.Backend;

class ConcurrentCollectionH2Test extends ConcurrentCollectionTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
