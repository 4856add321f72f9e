package dev.wharf.admin;

import dev.wharf.testing.Backend;

class RetentionApiH2Test extends RetentionApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
