package dev.wharf.admin;

import dev.wharf.testing.Backend;

class LeakedSecretsApiPostgresTest extends LeakedSecretsApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
