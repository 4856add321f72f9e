package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class OrgSettingsApiH2Test extends OrgSettingsApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
