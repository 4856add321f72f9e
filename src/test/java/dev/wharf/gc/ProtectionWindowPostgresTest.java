package dev.wharf.gc;

import dev.wharf.testing.Backend;

class ProtectionWindowPostgresTest extends ProtectionWindowTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
