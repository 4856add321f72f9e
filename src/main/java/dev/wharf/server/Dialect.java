package dev.wharf.server;

import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * An API dialect's single error-mapping point: every handler of the dialect is wrapped so that any exception it
 * throws is written in that dialect's own error body.
 */
public interface Dialect {

    /** Writes {@code error} as this dialect's error response. Must handle any throwable, with a 500 as the fallback. */
    void writeError(Context ctx, Throwable error);

    default Handler wrap(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (Exception e) {
                writeError(ctx, e);
            }
        };
    }
}
