package dev.wharf.credentials;

import dev.wharf.testing.Backend;

class GraceWindowPostgresTest extends GraceWindowTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
