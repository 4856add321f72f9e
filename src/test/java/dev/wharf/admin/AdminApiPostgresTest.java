package dev.wharf.admin;

import dev.wharf.testing.Backend;

class AdminApiPostgresTest extends AdminApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
