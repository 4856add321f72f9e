package dev.wharf.gitlab;

import dev.wharf.testing.ErrorMapperContract;
import org.junit.jupiter.api.Test;

class GitlabErrorsTest {
    @Test
    void everyFailureHasItsAnswerInGitlabsShape() {
        ErrorMapperContract.check(new GitlabErrors(), "/api/v4/personal_access_tokens");
    }
}
