package dev.wharf.ionos;

import dev.wharf.testing.Backend;

class IonosSkopeoPostgresTest extends IonosSkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
