package dev.wharf.http;

import dev.wharf.core.DomainException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error response as a dialect shapes it: status, extra headers, and a body serialised as JSON, or a page of HTML
 * ({@link Html}), or none (null).
 */
public record HttpError(int status, Map<String, String> headers, Object body) {

    /** A body that is already an HTML page (the web UI's errors). */
    public record Html(String text) {
    }

    public HttpError {
        headers = Map.copyOf(headers);
    }

    public static HttpError of(int status, Object body) {
        return new HttpError(status, Map.of(), body);
    }

    /**
     * With the headers a failure calls for in every dialect: {@code Allow} on a wrong method, {@code Retry-After} when
     * the client should come back later.
     */
    public HttpError withFailureHeaders(Throwable failure) {
        if (failure instanceof RouteNotFound missing && missing.isMethodNotAllowed()) {
            return withHeader("Allow", missing.allowHeader());
        } else if (failure instanceof DomainException.RateLimited limited) {
            return withHeader("Retry-After", String.valueOf(limited.retryAfterSeconds()));
        } else if (failure instanceof DomainException.Unavailable unavailable) {
            return withHeader("Retry-After", String.valueOf(unavailable.retryAfterSeconds()));
        }
        return this;
    }

    /** The media type of {@link #bodyBytes}. */
    public String contentType() {
        return body instanceof Html ? "text/html; charset=utf-8" : "application/json";
    }

    /** The body as it goes on the wire. */
    public byte[] bodyBytes() {
        return body instanceof Html html ? html.text().getBytes(StandardCharsets.UTF_8) : Json.bytes(body);
    }

    public HttpError withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpError(status, more, body);
    }
}
