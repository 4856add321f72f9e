package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class OrgTokensApiH2Test extends OrgTokensApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
