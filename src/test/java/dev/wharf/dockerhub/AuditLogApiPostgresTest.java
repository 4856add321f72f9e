package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class AuditLogApiPostgresTest extends AuditLogApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
