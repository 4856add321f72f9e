package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class AuditLogApiH2Test extends AuditLogApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
