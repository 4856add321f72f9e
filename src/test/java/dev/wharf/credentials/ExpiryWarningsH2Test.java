package dev.wharf.credentials;

import dev.wharf.testing.Backend;

class ExpiryWarningsH2Test extends ExpiryWarningsTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
