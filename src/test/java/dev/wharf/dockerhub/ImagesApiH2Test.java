package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class ImagesApiH2Test extends ImagesApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
