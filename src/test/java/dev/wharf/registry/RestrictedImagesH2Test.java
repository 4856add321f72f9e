package dev.wharf.registry;

import dev.wharf.testing.Backend;

class RestrictedImagesH2Test extends RestrictedImagesTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
