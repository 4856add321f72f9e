package dev.wharf.gc;

import dev.wharf.testing.Backend;

class ProtectionWindowH2Test extends ProtectionWindowTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
