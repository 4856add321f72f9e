package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The spec allows only its fourteen error codes in a 4xx body. */
class OciErrorTest {
    private static final Set<String> SPEC_CODES = Set.of("BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN",
            "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID",
            "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED", "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS");

    @Test
    void every4xxCodeIsOneOfTheSpecs() {
        for (OciError e : OciError.values()) {
            if (e.status < 500) {
                assertThat(SPEC_CODES).as(e.name()).contains(e.code);
                assertThat(e.status).as(e.name()).isBetween(400, 499);
            }
        }
    }
}
