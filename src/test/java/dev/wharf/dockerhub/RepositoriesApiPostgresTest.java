package dev.wharf.dockerhub;

import dev.wharf.testing.Backend;

class RepositoriesApiPostgresTest extends RepositoriesApiTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
