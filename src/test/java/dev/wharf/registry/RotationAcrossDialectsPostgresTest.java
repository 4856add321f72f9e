package dev.wharf.registry;

import dev.wharf.testing.Backend;

class RotationAcrossDialectsPostgresTest extends RotationAcrossDialectsTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
