package dev.wharf.ionos;

import dev.wharf.testing.Backend;

class IonosApiPostgresTest extends IonosApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
