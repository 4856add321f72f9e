package dev.wharf.server;

import dev.wharf.http.Dialect;
import dev.wharf.http.MessageErrors;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import io.javalin.http.Handler;

/**
 * The operations routes ({@code /healthz}, {@code /readyz}, {@code /metrics}), for load balancers and monitoring.
 * Their errors are {@code {"message", "errinfo"}} ({@link MessageErrors}), naming no library.
 */
final class OperationsRoutes {
    /** The paths this dialect owns: exactly its routes. */
    static final java.util.Set<String> PATHS = java.util.Set.of("/healthz", "/readyz", "/metrics");

    /** Operations routes need nothing from their caller. */
    enum Access { PUBLIC }

    private OperationsRoutes() {
    }

    static Dialect dialect(Handler health, Handler readiness, Handler metrics) {
        RouteTable<Access, Handler> routes = new RouteTable<Access, Handler>()
                .get("/healthz", Access.PUBLIC, health)
                .get("/readyz", Access.PUBLIC, readiness)
                .get("/metrics", Access.PUBLIC, metrics);
        return new Router<>(routes, (ctx, access) -> {
        }, new MessageErrors());
    }
}
