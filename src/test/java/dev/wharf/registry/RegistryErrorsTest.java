package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.testing.ErrorMapperContract;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryErrorsTest {
    @Test
    void everyFailureHasItsAnswerInTheSpecsEnvelope() {
        ErrorMapperContract.check(new RegistryErrors(), "/v2/alice/app/manifests/v1");
    }

    @Test
    void aFullDiskIs507AndALostDatabase503() {
        RegistryErrors errors = new RegistryErrors();
        assertThat(errors.map("/v2/", new DomainException.Unavailable(Reason.STORAGE_FULL, "full", 5)).status())
                .isEqualTo(507);
        assertThat(errors.map("/v2/", new DomainException.Unavailable(Reason.DATABASE, "gone", 5)).status())
                .isEqualTo(503);
        Object body = errors.map("/v2/", new DomainException.NotFound(Reason.MANIFEST_BLOB_UNKNOWN, "x")).body();
        assertThat(((List<?>) ((Map<?, ?>) body).get("errors")).get(0).toString()).contains("MANIFEST_BLOB_UNKNOWN");
    }
}
