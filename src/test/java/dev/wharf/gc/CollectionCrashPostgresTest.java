package dev.wharf.gc;

import dev.wharf.testing.Backend;

class CollectionCrashPostgresTest extends CollectionCrashTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
