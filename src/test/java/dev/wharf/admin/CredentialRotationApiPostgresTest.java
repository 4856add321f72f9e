package dev.wharf.admin;

import dev.wharf.testing.Backend;

class CredentialRotationApiPostgresTest extends CredentialRotationApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
