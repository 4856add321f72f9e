package dev.wharf.registry;

import dev.wharf.core.DomainException;
import dev.wharf.repositories.RepositoryException;
import dev.wharf.server.Dialect;
import dev.wharf.storage.BlobStoreException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's single error writer: the spec's envelope {@code {"errors":[{"code","message","detail"}]}} with the
 * status from {@link OciError}. Domain failures are mapped here, once.
 */
public final class RegistryErrors implements Dialect {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryErrors.class);
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    @Override
    public void writeError(Context ctx, Throwable error) {
        if (ctx.res().isCommitted()) {
            // The body was already streaming (a download the client abandoned): nothing more can be said.
            LOG.debug("{} {} failed after the response started: {}", ctx.method(), ctx.path(), error.toString());
            return;
        }
        if (!isClientGone(error)) {
            drainBody(ctx);
        }
        if (error instanceof RegistryException e) {
            e.headers.forEach(ctx::header);
            write(ctx, e.error, e.getMessage());
        } else if (error instanceof RepositoryException e) {
            write(ctx, map(e.kind()), e.getMessage());
        } else if (error instanceof BlobStoreException.BlobUnknown) {
            // Metadata names a blob the store no longer has (removed behind the registry's back).
            LOG.warn("blob missing from the store in {} {}: {}", ctx.method(), ctx.path(), error.getMessage());
            write(ctx, OciError.BLOB_UNKNOWN, "blob unknown to the blob store");
        } else if (error instanceof DomainException.Unauthenticated) {
            write(ctx, OciError.UNAUTHORIZED, error.getMessage());
        } else if (error instanceof DomainException.RateLimited limited) {
            ctx.header("Retry-After", String.valueOf(limited.retryAfterSeconds()));
            write(ctx, OciError.TOOMANYREQUESTS, "too many failed sign-ins; retry later");
        } else if (error instanceof DomainException.Forbidden) {
            write(ctx, OciError.DENIED, error.getMessage());
        } else if (error instanceof DomainException.NotFound) {
            write(ctx, OciError.NAME_UNKNOWN, error.getMessage());
        } else if (error instanceof DomainException.Invalid) {
            write(ctx, OciError.BLOB_UPLOAD_INVALID, error.getMessage());
        } else if (isClientGone(error)) {
            // The client closed the connection mid-body; nobody is left to read an answer.
            LOG.debug("client went away during {} {}", ctx.method(), ctx.path());
            write(ctx, OciError.BLOB_UPLOAD_INVALID, "request body ended early");
        } else {
            LOG.error("unhandled error in {} {}", ctx.method(), ctx.path(), error);
            write(ctx, OciError.UNKNOWN, "internal error");
        }
    }

    private static OciError map(RepositoryException.Kind kind) {
        return switch (kind) {
            case NAME_UNKNOWN -> OciError.NAME_UNKNOWN;
            case BLOB_UNKNOWN -> OciError.BLOB_UNKNOWN;
            case MANIFEST_UNKNOWN -> OciError.MANIFEST_UNKNOWN;
            case MANIFEST_BLOB_UNKNOWN -> OciError.MANIFEST_BLOB_UNKNOWN;
            case MANIFEST_INVALID -> OciError.MANIFEST_INVALID;
            case MANIFEST_TOO_LARGE -> OciError.MANIFEST_TOO_LARGE;
            case DIGEST_INVALID -> OciError.DIGEST_INVALID;
            case TAG_INVALID -> OciError.TAG_INVALID;
            case UPLOAD_UNKNOWN -> OciError.BLOB_UPLOAD_UNKNOWN;
            case UPLOAD_OFFSET -> OciError.BLOB_UPLOAD_OUT_OF_ORDER;
        };
    }

    /**
     * Reads and discards what is left of a refused request's body (up to {@link #DRAIN_LIMIT}). A server that
     * answers and closes while the client is still sending makes the client see a reset connection instead of the
     * error; beyond the limit, the connection is cut rather than read.
     */
    private static void drainBody(Context ctx) {
        String method = ctx.req().getMethod();
        if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
            return;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while (total <= DRAIN_LIMIT && (n = in.read(buffer)) != -1) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not drain the body of {} {}: {}", method, ctx.path(), e.toString());
        }
    }

    private static boolean isClientGone(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof EofException || t instanceof IOException && String.valueOf(t.getMessage())
                    .contains("Early EOF")) {
                return true;
            }
        }
        return false;
    }

    static void write(Context ctx, OciError error, String detail) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("code", error.code);
        entry.put("message", error.message);
        entry.put("detail", detail);
        ctx.status(error.status).json(Map.of("errors", List.of(entry)));
    }
}
