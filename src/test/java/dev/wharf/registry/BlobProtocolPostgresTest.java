package dev.wharf.registry;

import dev.wharf.testing.Backend;

class BlobProtocolPostgresTest extends BlobProtocolTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
