package dev.wharf.registry;

import dev.wharf.testing.Backend;

class TeamPermissionSkopeoH2Test extends TeamPermissionSkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
