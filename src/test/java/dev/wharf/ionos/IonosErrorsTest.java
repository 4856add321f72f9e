package dev.wharf.ionos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.DomainException;
import dev.wharf.http.HttpError;
import dev.wharf.testing.ErrorMapperContract;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every failure reaching the IONOS dialect has its answer in the spec's {@code ApiErrorResponse}. */
class IonosErrorsTest {
    @Test
    void everyFailureHasItsAnswerInTheIonosShape() {
        ErrorMapperContract.check(new IonosErrors(), "/containerregistries/registries");
        for (Throwable failure : ErrorMapperContract.everyFailure()) {
            HttpError error = new IonosErrors().map("/containerregistries/locations", failure);
            @SuppressWarnings("unchecked")
            Map<String, Object> body = (Map<String, Object>) error.body();
            assertThat(body).containsEntry("httpStatus", error.status()).containsKey("messages");
            assertThat((List<?>) body.get("messages")).isNotEmpty();
        }
    }

    @Test
    void eachInvalidFieldIsOneMessage() {
        HttpError error = new IonosErrors().map("/containerregistries/registries", new DomainException.Invalid("x",
                Map.of("properties.name", List.of("bad name"), "properties.location", List.of("bad location"))));
        assertThat(error.status()).isEqualTo(400);
        assertThat(String.valueOf(error.body())).contains("properties.name: bad name")
                .contains("properties.location: bad location").contains("VALIDATION_ERROR");
    }
}
