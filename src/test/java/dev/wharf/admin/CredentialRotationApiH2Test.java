package dev.wharf.admin;

import dev.wharf.testing.Backend;

class CredentialRotationApiH2Test extends CredentialRotationApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
