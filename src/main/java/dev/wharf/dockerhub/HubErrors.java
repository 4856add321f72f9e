package dev.wharf.dockerhub;

import dev.wharf.core.DomainException;
import dev.wharf.server.Dialect;
import dev.wharf.server.ErrorStatus;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker Hub's error bodies: {@code ValueError {fields, text}} for 400, {@code Error {detail, message}} for
 * 401/403/404/409, and {@code {detail, error:false}} for 429 with the rate-limit headers. The audit-log service is
 * a gRPC gateway on Hub, and its spec gives every error except 429 as {@code rpcStatus {code, message, details}};
 * {@link #auditLogs()} writes that shape.
 */
public final class HubErrors implements Dialect {
    private static final Logger LOG = LoggerFactory.getLogger(HubErrors.class);

    private final boolean rpcStatus;

    private HubErrors(boolean rpcStatus) {
        this.rpcStatus = rpcStatus;
    }

    public static HubErrors standard() {
        return new HubErrors(false);
    }

    public static HubErrors auditLogs() {
        return new HubErrors(true);
    }

    @Override
    public void writeError(Context ctx, Throwable error) {
        int status = ErrorStatus.of(error);
        if (status == 500) {
            LOG.error("unhandled error in {} {}", ctx.method(), ctx.path(), error);
        }
        if (error instanceof DomainException.RateLimited limited) {
            rateLimited(ctx, limited);
        } else if (rpcStatus) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", grpcCode(status));
            body.put("message", status == 500 ? "internal error" : error.getMessage());
            body.put("details", List.of());
            ctx.status(status).json(body);
        } else if (error instanceof DomainException.Invalid invalid) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("fields", invalid.fields());
            body.put("text", invalid.getMessage());
            ctx.status(400).json(body);
        } else {
            String message = status == 500 ? "internal error" : error.getMessage();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("detail", message);
            body.put("message", message);
            ctx.status(status).json(body);
        }
    }

    /** gRPC status codes, as grpc-gateway maps them from HTTP statuses. */
    private static int grpcCode(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> 3;
            case 401 -> 16;
            case 403 -> 7;
            case 404 -> 5;
            case 409 -> 6;
            default -> 13;
        };
    }

    /** A 429 in Docker Hub's form; {@code X-Retry-After} repeats the reset time for clients of the older docs. */
    public static void rateLimited(Context ctx, DomainException.RateLimited limited) {
        ctx.header("Retry-After", String.valueOf(limited.retryAfterSeconds()))
                .header("X-Retry-After", String.valueOf(limited.resetEpochSecond()))
                .header("X-RateLimit-Limit", String.valueOf(limited.limit()))
                .header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Reset", String.valueOf(limited.resetEpochSecond()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("detail", "Rate limit exceeded");
        body.put("error", false);
        ctx.status(429).json(body);
    }
}
