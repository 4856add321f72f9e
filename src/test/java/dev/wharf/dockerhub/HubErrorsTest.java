package dev.wharf.dockerhub;

import dev.wharf.testing.ErrorMapperContract;
import org.junit.jupiter.api.Test;

/** Repository and storage failures reaching the Hub used to be 500s; every domain failure now has its answer. */
class HubErrorsTest {
    @Test
    void everyFailureHasItsAnswerInHubsShapeTheAuditLogsShapeAndTheImagesShape() {
        ErrorMapperContract.check(new HubErrors(java.time.Clock.systemUTC()), "/v2/namespaces/alice/repositories");
        ErrorMapperContract.check(new HubErrors(java.time.Clock.systemUTC()), "/v2/auditlogs/alice");
        ErrorMapperContract.check(new HubErrors(java.time.Clock.systemUTC()),
                "/v2/namespaces/alice/repositories/app/images");
        ErrorMapperContract.check(new HubErrors(java.time.Clock.systemUTC()), "/v2/namespaces/alice/delete-images");
    }
}
