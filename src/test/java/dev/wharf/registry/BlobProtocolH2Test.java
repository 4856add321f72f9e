package dev.wharf.registry;

import dev.wharf.testing.Backend;

class BlobProtocolH2Test extends BlobProtocolTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
