package dev.wharf.credentials;

import dev.wharf.testing.Backend;

class ExpiryWarningsPostgresTest extends ExpiryWarningsTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
