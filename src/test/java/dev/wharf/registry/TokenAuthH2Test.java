package dev.wharf.registry;

import dev.wharf.testing.Backend;

class TokenAuthH2Test extends TokenAuthTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
