package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class OrgsApiPostgresTest extends OrgsApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
