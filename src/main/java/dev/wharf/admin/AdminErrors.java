package dev.wharf.admin;

import dev.wharf.core.DomainException;
import dev.wharf.dockerhub.HubErrors;
import dev.wharf.server.Dialect;
import dev.wharf.server.ErrorStatus;
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
        int status = ErrorStatus.of(error);
        if (error instanceof DomainException.RateLimited limited) {
            HubErrors.rateLimited(ctx, limited);
            return;
        }
        if (status == 500) {
            LOG.error("unhandled error in {} {}", ctx.method(), ctx.path(), error);
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
