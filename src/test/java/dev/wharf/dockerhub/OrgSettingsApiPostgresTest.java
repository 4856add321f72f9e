package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class OrgSettingsApiPostgresTest extends OrgSettingsApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
