package dev.wharf.registry;

import dev.wharf.testing.Backend;

class OfficialImagesPostgresTest extends OfficialImagesTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
