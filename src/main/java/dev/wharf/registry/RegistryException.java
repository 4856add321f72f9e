package dev.wharf.registry;

import java.util.LinkedHashMap;
import java.util.Map;

/** An OCI error with its detail and any headers the response needs (a challenge, a Range). */
final class RegistryException extends RuntimeException {
    final OciError error;
    final Map<String, String> headers = new LinkedHashMap<>();

    RegistryException(OciError error, String detail) {
        super(detail == null ? error.message : detail, null, false, false);
        this.error = error;
    }

    RegistryException(OciError error) {
        this(error, null);
    }

    RegistryException header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
