package dev.wharf.accounts;

import dev.wharf.testing.Backend;

class NamespaceSettingsStoreH2Test extends NamespaceSettingsStoreTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
