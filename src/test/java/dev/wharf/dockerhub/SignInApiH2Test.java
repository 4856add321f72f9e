package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class SignInApiH2Test extends SignInApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
