package dev.wharf.credentials;

import dev.wharf.testing.Backend;

class GraceWindowH2Test extends GraceWindowTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
