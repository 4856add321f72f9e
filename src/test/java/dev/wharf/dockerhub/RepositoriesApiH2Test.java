package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class RepositoriesApiH2Test extends RepositoriesApiTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
