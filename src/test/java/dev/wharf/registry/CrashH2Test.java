package dev.wharf.registry;

import dev.wharf.testing.Backend;

class CrashH2Test extends CrashTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
