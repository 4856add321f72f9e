package dev.wharf.ionos;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.http.ClientGone;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.HttpError;
import dev.wharf.http.RouteNotFound;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IONOS dialect's one error-mapping point: every error is the spec's {@code ApiErrorResponse},
 * {@code {"httpStatus": N, "messages": [{"errorCode": "...", "message": "..."}]}}, with one message per invalid field.
 * IONOS publishes no list of its error codes, so Wharf's are its own, stable words (see {@link #code}).
 */
final class IonosErrors implements ErrorMapper {

    @Override
    public HttpError map(String path, Throwable failure) {
        int status = FailureStatus.of(failure);
        String code = code(status, failure);
        List<Map<String, String>> messages = new ArrayList<>();
        if (failure instanceof DomainException.Invalid invalid && !invalid.fields().isEmpty()) {
            invalid.fields().forEach((field, problems) -> problems.forEach(problem ->
                    messages.add(message(code, field + ": " + problem))));
        } else {
            messages.add(message(code, text(status, failure)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("httpStatus", status);
        body.put("messages", messages);
        HttpError error = HttpError.of(status, body);
        if (status == 401) {
            error = error.withHeader("WWW-Authenticate", "Basic realm=\"containerregistries\"");
        }
        return error.withFailureHeaders(failure);
    }

    private static Map<String, String> message(String code, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("errorCode", code);
        m.put("message", text);
        return m;
    }

    /** The error code: the kind of failure, and for conflicts which one. */
    private static String code(int status, Throwable failure) {
        if (failure instanceof DomainException.Conflict conflict) {
            return conflict.reason() == Reason.NAME_TAKEN ? "NAME_TAKEN"
                    : conflict.reason() == Reason.CREDENTIAL_LIMIT ? "LIMIT_REACHED" : "CONFLICT";
        }
        return switch (status) {
            case 400 -> "VALIDATION_ERROR";
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 408 -> "REQUEST_TIMEOUT";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 429 -> "TOO_MANY_REQUESTS";
            case 503 -> "SERVICE_UNAVAILABLE";
            default -> "INTERNAL_ERROR";
        };
    }

    /** What clients see: the failure's own message, fixed words for routing, nothing at all for a 500. */
    private static String text(int status, Throwable failure) {
        if (failure instanceof RouteNotFound missing) {
            return missing.isMethodNotAllowed() ? "Method " + missing.method() + " is not allowed on this resource"
                    : "Resource not found";
        } else if (failure instanceof ClientGone) {
            return "The request body did not arrive in time";
        } else if (status == 500) {
            return "Internal error";
        }
        return failure.getMessage();
    }
}
