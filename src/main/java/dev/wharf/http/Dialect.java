package dev.wharf.http;

import io.javalin.http.Context;

/** One API dialect: serves the requests of its path space, and writes every failure in its own error shape. */
public interface Dialect {

    /** Serves a request whose path this dialect owns. Never throws: failures are written as this dialect's errors. */
    void serve(Context ctx);

    /** How this dialect shapes errors, also for failures the server detects before a dialect runs. */
    ErrorMapper errors();
}
