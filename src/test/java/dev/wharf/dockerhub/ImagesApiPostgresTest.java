package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class ImagesApiPostgresTest extends ImagesApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
