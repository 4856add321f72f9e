package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class ImagesSkopeoPostgresTest extends ImagesSkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
