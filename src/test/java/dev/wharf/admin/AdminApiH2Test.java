package dev.wharf.admin;

import dev.wharf.testing.Backend;

class AdminApiH2Test extends AdminApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
