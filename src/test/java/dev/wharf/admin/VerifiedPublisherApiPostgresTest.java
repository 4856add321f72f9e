package dev.wharf.admin;

import dev.wharf.testing.Backend;

class VerifiedPublisherApiPostgresTest extends VerifiedPublisherApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
