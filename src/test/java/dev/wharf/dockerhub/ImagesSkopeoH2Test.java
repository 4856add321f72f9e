package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class ImagesSkopeoH2Test extends ImagesSkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
