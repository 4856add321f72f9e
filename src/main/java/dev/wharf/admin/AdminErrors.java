package dev.wharf.admin;

import dev.wharf.core.DomainException;
import dev.wharf.server.Dialect;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wharf's admin API errors, in Docker Hub's {@code error} shape: {@code {message, errinfo}}, plus {@code fields}. */
public final class AdminErrors implements Dialect {
    private static final Logger LOG = LoggerFactory.getLogger(AdminErrors.class);

    @Override
    public void writeError(Context ctx, Throwable error) {
        int status;
        if (error instanceof DomainException.Invalid) {
            status = 400;
        } else if (error instanceof DomainException.Unauthenticated) {
            status = 401;
        } else if (error instanceof DomainException.Forbidden) {
            status = 403;
        } else if (error instanceof DomainException.NotFound) {
            status = 404;
        } else if (error instanceof DomainException.Conflict) {
            status = 409;
        } else if (error instanceof DomainException.RateLimited limited) {
            dev.wharf.dockerhub.HubErrors.rateLimited(ctx, limited);
            return;
        } else {
            LOG.error("unhandled error in {} {}", ctx.method(), ctx.path(), error);
            status = 500;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", status == 500 ? "internal error" : error.getMessage());
        body.put("errinfo", null);
        if (error instanceof DomainException.Invalid invalid) {
            body.put("fields", invalid.fields());
        }
        ctx.status(status).json(body);
    }
}
