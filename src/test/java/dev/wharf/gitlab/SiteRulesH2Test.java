package dev.wharf.gitlab;

import dev.wharf.testing.Backend;

class SiteRulesH2Test extends SiteRulesTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }
}
