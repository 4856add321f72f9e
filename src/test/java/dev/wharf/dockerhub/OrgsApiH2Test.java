package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class OrgsApiH2Test extends OrgsApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
