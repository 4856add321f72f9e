package dev.wharf.registry;

import dev.wharf.testing.Backend;

class OfficialImagesH2Test extends OfficialImagesTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
