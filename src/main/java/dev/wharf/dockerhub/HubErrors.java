package dev.wharf.dockerhub;

import dev.wharf.core.DomainException;
import dev.wharf.http.ClientGone;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.HttpError;
import dev.wharf.http.RouteNotFound;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Hub dialect's one error-mapping point. Docker Hub's error bodies: {@code ValueError {fields, text}} for 400,
 * {@code Error {detail, message}} for the rest, and {@code {detail, error:false}} for 429 with the rate-limit
 * headers. The audit-log service is a gRPC gateway on Hub, and its spec gives every error except 429 as
 * {@code rpcStatus {code, message, details}}: paths under {@code /v2/auditlogs/} are answered in that shape.
 */
final class HubErrors implements ErrorMapper {
    private static final String AUDIT_LOGS = "/v2/auditlogs/";

    @Override
    public HttpError map(String path, Throwable failure) {
        int status = FailureStatus.of(failure);
        if (failure instanceof DomainException.RateLimited limited) {
            return rateLimited(limited);
        }
        HttpError error;
        if (path.startsWith(AUDIT_LOGS)) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", grpcCode(status));
            body.put("message", message(status, failure));
            body.put("details", List.of());
            error = HttpError.of(status, body);
        } else if (failure instanceof DomainException.Invalid invalid) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("fields", invalid.fields().isEmpty() ? Map.of("body", List.of(invalid.getMessage()))
                    : invalid.fields());
            body.put("text", invalid.getMessage());
            error = HttpError.of(400, body);
        } else {
            String message = message(status, failure);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("detail", message);
            body.put("message", message);
            error = HttpError.of(status, body);
        }
        if (failure instanceof RouteNotFound missing && missing.isMethodNotAllowed()) {
            error = error.withHeader("Allow", missing.allowHeader());
        } else if (failure instanceof DomainException.Unavailable unavailable) {
            error = error.withHeader("Retry-After", String.valueOf(unavailable.retryAfterSeconds()));
        }
        return error;
    }

    /** The message clients see: the failure's own, Django REST's words for routing, nothing at all for a 500. */
    private static String message(int status, Throwable failure) {
        if (failure instanceof RouteNotFound missing) {
            return missing.isMethodNotAllowed() ? "Method \"" + missing.method() + "\" not allowed." : "Not found.";
        } else if (failure instanceof ClientGone) {
            return "The request body did not arrive in time.";
        } else if (status == 500) {
            return "internal error";
        }
        return failure.getMessage();
    }

    /** gRPC status codes, as grpc-gateway maps them from HTTP statuses. */
    private static int grpcCode(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> 3;
            case 401 -> 16;
            case 403 -> 7;
            case 404 -> 5;
            case 405 -> 12;
            case 408 -> 4;
            case 409 -> 6;
            case 413 -> 11;
            case 503 -> 14;
            default -> 13;
        };
    }

    /** A 429 in Docker Hub's form; {@code X-Retry-After} repeats the reset time for clients of the older docs. */
    private static HttpError rateLimited(DomainException.RateLimited limited) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("detail", "Rate limit exceeded");
        body.put("error", false);
        return HttpError.of(429, body)
                .withHeader("Retry-After", String.valueOf(limited.retryAfterSeconds()))
                .withHeader("X-Retry-After", String.valueOf(limited.resetEpochSecond()))
                .withHeader("X-RateLimit-Limit", String.valueOf(limited.limit()))
                .withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", String.valueOf(limited.resetEpochSecond()));
    }
}
