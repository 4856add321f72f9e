package dev.wharf.http;

import io.javalin.http.Context;

/**
 * A dialect's one error-mapping point: turns any failure into that dialect's exact error response. It receives
 * failures already normalised by {@link Failures}: {@link dev.wharf.core.DomainException}s,
 * {@link RouteNotFound}, {@link ClientGone}, and anything else, which is an unexpected 500.
 */
public interface ErrorMapper {

    /** The response for {@code failure} on {@code path}; never null, never throws. */
    HttpError map(String path, Throwable failure);

    /**
     * The response for {@code failure} on a request a dialect was serving; a dialect whose error bodies carry facts of
     * the request (an id, the caller) reads them from {@code ctx}.
     */
    default HttpError map(Context ctx, Throwable failure) {
        return map(ctx.path(), failure);
    }
}
