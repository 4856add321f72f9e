package dev.wharf.gitlab;

import dev.wharf.testing.Backend;

class PersonalAccessTokensApiPostgresTest extends PersonalAccessTokensApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
