package dev.wharf.admin;

import dev.wharf.testing.Backend;

class VerifiedPublisherApiH2Test extends VerifiedPublisherApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
