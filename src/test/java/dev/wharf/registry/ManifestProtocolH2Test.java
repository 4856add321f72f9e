package dev.wharf.registry;

import dev.wharf.testing.Backend;

class ManifestProtocolH2Test extends ManifestProtocolTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
