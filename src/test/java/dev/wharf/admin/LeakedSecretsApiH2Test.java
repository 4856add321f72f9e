package dev.wharf.admin;

import dev.wharf.testing.Backend;

class LeakedSecretsApiH2Test extends LeakedSecretsApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
