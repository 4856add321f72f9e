package dev.wharf.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a failure as the owning dialect's error response: normalises it ({@link Failures}), asks the dialect's
 * {@link ErrorMapper} for the response, and writes that. Shared by every dialect so that the rules below hold for all:
 * <ul>
 *   <li>a response that already started streaming is left alone (the client sees the connection end);</li>
 *   <li>the rest of a refused request body is read and discarded, up to a bound, so that the client reads the error
 *       instead of a reset connection; a larger body, or a client that stopped sending, gets the connection closed;</li>
 *   <li>unexpected failures are logged with their stack trace and answered with the dialect's 500, which names no
 *       class or library;</li>
 *   <li>a HEAD response has no body.</li>
 * </ul>
 */
public final class ErrorWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorWriter.class);
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;
    private static final long OUTAGE_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final java.util.concurrent.atomic.AtomicLong lastOutageLog =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - OUTAGE_LOG_INTERVAL_NANOS);

    private ErrorWriter() {
    }

    public static void write(Context ctx, ErrorMapper mapper, Throwable raw) {
        Throwable failure = Failures.normalize(raw);
        if (ctx.res().isCommitted()) {
            LOG.debug("{} {} failed after the response started: {}", ctx.method(), ctx.path(), failure.toString());
            return;
        }
        HttpError error = mapper.map(ctx, failure);
        if (error.status() >= 500 && !(failure instanceof dev.wharf.core.DomainException)) {
            LOG.error("unhandled error in {} {}", ctx.method(), ctx.path(), raw);
        } else if (failure instanceof dev.wharf.core.DomainException.Unavailable unavailable) {
            logOutage(unavailable, raw);
        } else if (failure instanceof ClientGone) {
            LOG.debug("client stopped sending {} {}: {}", ctx.method(), ctx.path(), raw.toString());
        }
        boolean keepAlive = !(failure instanceof ClientGone) && drained(ctx);
        // A handler may have framed a success body before it failed; the error has its own framing.
        ctx.res().resetBuffer();
        ctx.res().setHeader("Content-Length", null);
        ctx.res().setHeader("Content-Range", null);
        ctx.status(error.status());
        error.headers().forEach(ctx::header);
        if (!keepAlive) {
            ctx.header("Connection", "close");
        }
        if (error.body() == null || "HEAD".equals(ctx.req().getMethod())) {
            ctx.result(new byte[0]);
            return;
        }
        ctx.contentType(error.contentType()).result(error.bodyBytes());
    }

    /**
     * An outage (database, disk) is worth a line for the operator, but not one per refused request: at most one every
     * {@link #OUTAGE_LOG_INTERVAL_NANOS}, with the underlying cause's message.
     */
    private static void logOutage(dev.wharf.core.DomainException.Unavailable unavailable, Throwable raw) {
        long now = System.nanoTime();
        long last = lastOutageLog.get();
        if (now - last < OUTAGE_LOG_INTERVAL_NANOS || !lastOutageLog.compareAndSet(last, now)) {
            return;
        }
        Throwable root = raw;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        LOG.warn("refusing requests: {} ({}: {})", unavailable.getMessage(), root.getClass().getSimpleName(),
                root.getMessage());
    }

    /**
     * Reads and discards what is left of the request body, up to {@link #DRAIN_LIMIT}; true when all of it was read
     * (or there was none), so the connection can serve the next request.
     */
    private static boolean drained(Context ctx) {
        String method = ctx.req().getMethod();
        if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
            return true;
        }
        if (ctx.req().getContentLengthLong() > DRAIN_LIMIT) {
            return false;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
                if (total > DRAIN_LIMIT) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not drain the body of {} {}: {}", method, ctx.path(), e.toString());
            return false;
        }
    }
}
