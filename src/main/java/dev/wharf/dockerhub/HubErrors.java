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
 * 401/403/404/409, and {@code {detail, error:false}} for 429 with the rate-limit headers.
 */
public final class HubErrors implements Dialect {
    private static final Logger LOG = LoggerFactory.getLogger(HubErrors.class);

    @Override
    public void writeError(Context ctx, Throwable error) {
        if (error instanceof DomainException.Invalid invalid) {
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
