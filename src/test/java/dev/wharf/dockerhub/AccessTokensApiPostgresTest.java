package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class AccessTokensApiPostgresTest extends AccessTokensApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
