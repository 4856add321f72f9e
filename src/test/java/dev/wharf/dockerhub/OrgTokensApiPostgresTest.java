package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class OrgTokensApiPostgresTest extends OrgTokensApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
