package dev.wharf.registry;

import dev.wharf.testing.Backend;

class TokenAuthPostgresTest extends TokenAuthTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
