package dev.wharf.registry;

import dev.wharf.testing.Backend;

class CrashPostgresTest extends CrashTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
