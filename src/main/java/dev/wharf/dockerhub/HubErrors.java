package dev.wharf.dockerhub;

import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.http.ClientGone;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.HttpError;
import dev.wharf.http.Json;
import dev.wharf.http.RouteNotFound;
import dev.wharf.repositories.ImageDeletion;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * The Hub dialect's one error-mapping point. Docker Hub's error bodies: {@code ValueError {fields, text}} for 400,
 * {@code Error {detail, message}} for the rest, and {@code {detail, error:false}} for 429 with the rate-limit
 * headers. Two services of Hub answer in shapes of their own, chosen here by path:
 * <ul>
 *   <li>the audit-log service is a gRPC gateway, and its spec gives every error except 429 as
 *       {@code rpcStatus {code, message, details}} (paths under {@code /v2/auditlogs/});</li>
 *   <li>the images API (seed 004) answers every error, 401/403/404 included, as
 *       {@code ErrorResponse {txnid, message, errinfo{api_call_docker_id, api_call_name, api_call_start,
 *       api_call_txnid}}}, with {@code errinfo.type: "validation"} and {@code details} for a 400: the refused
 *       manifests' {@code errors} and {@code warnings} when a deletion is not possible, the {@code fields} of bad
 *       input otherwise. The txnid is the request id ({@code X-Request-Id}).</li>
 * </ul>
 */
final class HubErrors implements ErrorMapper {
    private static final String AUDIT_LOGS = "/v2/auditlogs/";
    /** The images API's paths, each with the operation name errinfo gives it. */
    private static final Map<Pattern, String> IMAGE_CALLS = Map.of(
            Pattern.compile("/v2/namespaces/[^/]+/repositories/[^/]+/images/?"), "GetImages",
            Pattern.compile("/v2/namespaces/[^/]+/repositories/[^/]+/images/[^/]+/tags/?"), "GetImageTags",
            Pattern.compile("/v2/namespaces/[^/]+/repositories/[^/]+/images-summary/?"), "GetImagesSummary",
            Pattern.compile("/v2/namespaces/[^/]+/delete-images/?"), "DeleteImages");
    /** The request id, as the server tags every response and log line with it. */
    private static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final String REQUEST_ID_LOG_KEY = "request_id";

    private final Clock clock;

    HubErrors(Clock clock) {
        this.clock = clock;
    }

    /** A request the dialect was serving: its images errors name the caller and when the call started. */
    @Override
    public HttpError map(Context ctx, Throwable failure) {
        String call = imagesCall(ctx.path());
        if (call == null) {
            return map(ctx.path(), failure);
        }
        String caller = HubAuth.admitted(ctx).map(p -> p.account().uuid().toString()).orElse("");
        OffsetDateTime started = HubAuth.started(ctx).orElseGet(() -> Timestamps.now(clock));
        String requestId = ctx.res().getHeader(REQUEST_ID_HEADER);
        return imagesError(failure, new Call(call, caller, started, requestId));
    }

    @Override
    public HttpError map(String path, Throwable failure) {
        String call = imagesCall(path);
        if (call != null) {
            // Refused before routing (a malformed request): no caller is known, and the request id is the log's.
            return imagesError(failure, new Call(call, "", Timestamps.now(clock), MDC.get(REQUEST_ID_LOG_KEY)));
        }
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

    private static String imagesCall(String path) {
        if (!path.startsWith("/v2/namespaces/")) {
            return null;
        }
        for (Map.Entry<Pattern, String> call : IMAGE_CALLS.entrySet()) {
            if (call.getKey().matcher(path).matches()) {
                return call.getValue();
            }
        }
        return null;
    }

    /** What errinfo says of the call that failed. */
    private record Call(String name, String caller, OffsetDateTime started, String requestId) {
    }

    /** An images API error: seed 004's {@code ErrorResponse}, with the deletion's errors and warnings for a 400. */
    private static HttpError imagesError(Throwable failure, Call call) {
        if (failure instanceof DomainException.RateLimited limited) {
            return rateLimited(limited);
        }
        String txnid = call.requestId() != null ? call.requestId() : UUID.randomUUID().toString();
        Map<String, Object> errinfo = new LinkedHashMap<>();
        errinfo.put("api_call_docker_id", call.caller());
        errinfo.put("api_call_name", call.name());
        errinfo.put("api_call_start", Json.time(call.started()));
        errinfo.put("api_call_txnid", txnid);
        int status;
        if (failure instanceof ImageDeletion.Refused refused) {
            status = 400;
            errinfo.put("type", "validation");
            errinfo.put("details", deletionDetails(refused.plan()));
        } else if (failure instanceof DomainException.Invalid invalid) {
            status = 400;
            errinfo.put("type", "validation");
            errinfo.put("details", Map.of("fields", invalid.fields().isEmpty()
                    ? Map.of("body", List.of(invalid.getMessage())) : invalid.fields()));
        } else {
            status = FailureStatus.of(failure);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("txnid", txnid);
        body.put("message", message(status, failure));
        body.put("errinfo", errinfo);
        HttpError error = HttpError.of(status, body);
        return error.withFailureHeaders(failure);
    }

    private static Map<String, Object> deletionDetails(ImageDeletion.Plan plan) {
        List<Map<String, Object>> errors = new ArrayList<>();
        for (ImageDeletion.Rejection e : plan.errors()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("repository", ImagesApi.repositoryPath(e.target().repository()));
            out.put("digest", e.target().digest().toString());
            out.put("error", switch (e.problem()) {
                case NOT_FOUND -> "not_found";
                case UNAUTHORIZED -> "unauthorized";
                case CHILD_MANIFEST -> "child_manifest";
            });
            errors.add(out);
        }
        List<Map<String, Object>> warnings = new ArrayList<>();
        for (ImageDeletion.Warning w : plan.warnings()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("repository", ImagesApi.repositoryPath(w.target().repository()));
            out.put("digest", w.target().digest().toString());
            out.put("warning", ImagesApi.cautionName(w.caution()));
            out.put("tags", w.tags());
            warnings.add(out);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("errors", errors);
        details.put("warnings", warnings);
        return details;
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
