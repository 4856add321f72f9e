package dev.wharf.admin;

import dev.wharf.testing.ErrorMapperContract;
import org.junit.jupiter.api.Test;

class AdminErrorsTest {
    @Test
    void everyFailureHasItsAnswerInTheAdminShape() {
        ErrorMapperContract.check(new AdminErrors(), "/api/v1/users");
    }
}
