package dev.wharf.ionos;

import dev.wharf.testing.Backend;

class IonosApiH2Test extends IonosApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
