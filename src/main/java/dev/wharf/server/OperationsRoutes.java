package dev.wharf.server;

import dev.wharf.core.DomainException;
import dev.wharf.http.ClientGone;
import dev.wharf.http.Dialect;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.HttpError;
import dev.wharf.http.RouteNotFound;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operations routes ({@code /healthz}, {@code /metrics}) and the owner of every path no API dialect claims. Its
 * errors are {@code {"message", "errinfo"}}, Wharf's plain shape, naming no library.
 */
final class OperationsRoutes {
    /** Operations routes need nothing from their caller. */
    enum Access { PUBLIC }

    private OperationsRoutes() {
    }

    static Dialect dialect(Handler health, Handler metrics) {
        RouteTable<Access, Handler> routes = new RouteTable<Access, Handler>()
                .get("/healthz", Access.PUBLIC, health)
                .get("/metrics", Access.PUBLIC, metrics);
        return new Router<>(routes, (ctx, access) -> {
        }, new Errors());
    }

    private static final class Errors implements ErrorMapper {
        @Override
        public HttpError map(String path, Throwable failure) {
            int status = FailureStatus.of(failure);
            String message;
            if (failure instanceof RouteNotFound missing) {
                message = missing.isMethodNotAllowed() ? "method not allowed" : "not found";
            } else if (failure instanceof ClientGone || status == 500) {
                message = status == 500 ? "internal error" : "request timeout";
            } else {
                message = failure.getMessage();
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("message", message);
            body.put("errinfo", null);
            HttpError error = HttpError.of(status, body);
            if (failure instanceof RouteNotFound missing && missing.isMethodNotAllowed()) {
                error = error.withHeader("Allow", missing.allowHeader());
            } else if (failure instanceof DomainException.Unavailable unavailable) {
                error = error.withHeader("Retry-After", String.valueOf(unavailable.retryAfterSeconds()));
            }
            return error;
        }
    }
}
