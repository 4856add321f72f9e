package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class TokenRulesApiPostgresTest extends TokenRulesApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
