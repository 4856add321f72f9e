package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class TokenRulesApiH2Test extends TokenRulesApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
