package dev.wharf.dockerhub;

import dev.wharf.core.DomainException;
import dev.wharf.server.Dialect;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
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
        if (rpcStatus && !(error instanceof DomainException.RateLimited)) {
            writeRpcStatus(ctx, error);
        } else if (error instanceof DomainException.Invalid invalid) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("fields", invalid.fields());
            body.put("text", invalid.getMessage());
            ctx.status(400).json(body);
        } else if (error instanceof DomainException.Unauthenticated) {
            detail(ctx, 401, error.getMessage());
        } else if (error instanceof DomainException.Forbidden) {
            detail(ctx, 403, error.getMessage());
        } else if (error instanceof DomainException.NotFound) {
            detail(ctx, 404, error.getMessage());
        } else if (error instanceof DomainException.Conflict) {
            detail(ctx, 409, error.getMessage());
        } else if (error instanceof DomainException.RateLimited limited) {
            rateLimited(ctx, limited);
        } else {
            LOG.error("unhandled error in {} {}", ctx.method(), ctx.path(), error);
            detail(ctx, 500, "internal error");
        }
    }

    /** gRPC status codes as grpc-gateway maps them from HTTP statuses. */
    private static void writeRpcStatus(Context ctx, Throwable error) {
        int status;
        int code;
        if (error instanceof DomainException.Invalid) {
            status = 400;
            code = 3;
        } else if (error instanceof DomainException.Unauthenticated) {
            status = 401;
            code = 16;
        } else if (error instanceof DomainException.Forbidden) {
            status = 403;
            code = 7;
        } else if (error instanceof DomainException.NotFound) {
            status = 404;
            code = 5;
        } else {
            LOG.error("unhandled error in {} {}", ctx.method(), ctx.path(), error);
            status = 500;
            code = 13;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", status == 500 ? "internal error" : error.getMessage());
        body.put("details", java.util.List.of());
        ctx.status(status).json(body);
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

    private static void detail(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("detail", message);
        body.put("message", message);
        ctx.status(status).json(body);
    }
}
