package dev.wharf.registry;

import dev.wharf.testing.Backend;

class ManifestProtocolPostgresTest extends ManifestProtocolTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
