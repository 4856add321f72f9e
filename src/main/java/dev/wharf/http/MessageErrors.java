package dev.wharf.http;

import dev.wharf.core.DomainException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Errors in Docker Hub's plain {@code error} shape, {@code {message, errinfo}}, plus {@code fields} on validation
 * errors; messages for routing and timeouts use the words of Hub's newer spec. Wharf's admin API answers in it, and
 * so do the operations routes and every path no API owns.
 */
public final class MessageErrors implements ErrorMapper {

    @Override
    public HttpError map(String path, Throwable failure) {
        int status = FailureStatus.of(failure);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message(status, failure));
        body.put("errinfo", null);
        if (failure instanceof DomainException.Invalid invalid && !invalid.fields().isEmpty()) {
            body.put("fields", invalid.fields());
        }
        HttpError error = HttpError.of(status, body);
        return error.withFailureHeaders(failure);
    }

    private static String message(int status, Throwable failure) {
        if (failure instanceof RouteNotFound missing) {
            return missing.isMethodNotAllowed() ? "method not allowed" : "not found";
        } else if (failure instanceof ClientGone) {
            return "request timeout";
        } else if (status == 500) {
            return "internal error";
        }
        return failure.getMessage();
    }
}
