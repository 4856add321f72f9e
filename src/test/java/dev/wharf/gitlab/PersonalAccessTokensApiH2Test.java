package dev.wharf.gitlab;

import dev.wharf.testing.Backend;

class PersonalAccessTokensApiH2Test extends PersonalAccessTokensApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
