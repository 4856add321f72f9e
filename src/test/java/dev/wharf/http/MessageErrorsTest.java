package dev.wharf.http;

import dev.wharf.testing.ErrorMapperContract;
import org.junit.jupiter.api.Test;

class MessageErrorsTest {
    @Test
    void everyFailureHasItsAnswerInThePlainShape() {
        ErrorMapperContract.check(new MessageErrors(), "/api/v1/users");
    }
}
