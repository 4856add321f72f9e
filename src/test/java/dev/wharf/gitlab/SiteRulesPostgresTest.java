package dev.wharf.gitlab;

import dev.wharf.testing.Backend;

class SiteRulesPostgresTest extends SiteRulesTest {
    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }
}
