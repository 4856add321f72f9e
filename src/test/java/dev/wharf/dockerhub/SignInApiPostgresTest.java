package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class SignInApiPostgresTest extends SignInApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
