package dev.wharf.server;

import dev.wharf.testing.Backend;

class RestartH2Test extends RestartTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
