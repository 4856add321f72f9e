package dev.wharf.server;

import dev.wharf.testing.Backend;

class RestartPostgresTest extends RestartTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
