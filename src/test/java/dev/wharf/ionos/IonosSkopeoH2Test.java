package dev.wharf.ionos;

import dev.wharf.testing.Backend;

class IonosSkopeoH2Test extends IonosSkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
