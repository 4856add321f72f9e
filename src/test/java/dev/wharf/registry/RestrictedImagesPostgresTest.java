package dev.wharf.registry;

import dev.wharf.testing.Backend;

class RestrictedImagesPostgresTest extends RestrictedImagesTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
