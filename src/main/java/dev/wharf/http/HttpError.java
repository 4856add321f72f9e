package dev.wharf.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error response as a dialect shapes it: status, extra headers, and a body serialised as JSON (or null). */
public record HttpError(int status, Map<String, String> headers, Object body) {

    public HttpError {
        headers = Map.copyOf(headers);
    }

    public static HttpError of(int status, Object body) {
        return new HttpError(status, Map.of(), body);
    }

    public HttpError withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpError(status, more, body);
    }
}
