package dev.wharf.accounts;

import dev.wharf.testing.Backend;

class NamespaceSettingsStorePostgresTest extends NamespaceSettingsStoreTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
