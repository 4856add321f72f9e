package dev.wharf.registry;

import dev.wharf.testing.Backend;

class RotationAcrossDialectsH2Test extends RotationAcrossDialectsTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
