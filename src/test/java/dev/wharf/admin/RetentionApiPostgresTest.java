package dev.wharf.admin;

import dev.wharf.testing.Backend;

class RetentionApiPostgresTest extends RetentionApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
