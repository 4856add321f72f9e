package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class AccessTokensApiH2Test extends AccessTokensApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
