package dev.wharf.registry;

import dev.wharf.testing.Backend;

class TeamPermissionSkopeoPostgresTest extends TeamPermissionSkopeoTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
