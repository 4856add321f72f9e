package dev.wharf.gc;

import dev.wharf.testing.Backend;

class CollectionCrashH2Test extends CollectionCrashTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
