package dev.wharf.server;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.http.HttpError;
import dev.wharf.http.PathEncoding;
import dev.wharf.http.RouteNotFound;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses, in the owning dialect's shape and before anything below tries to decode it, a request whose path is not
 * well-formed percent-encoding ({@code %uXXXX}, {@code %zz}, bytes that are not UTF-8, an escape hidden in a
 * {@code ;} parameter): 400. Decoding such a path used to fail deep in the web framework with a 500. A method that
 * no route of any dialect uses gets 405 here too, so the framework never answers with a page of its own.
 */
final class MalformedRequests extends Handler.Wrapper {
    /** The methods some route may serve; every route table answers its own 405 for the ones it does not. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Set<String> SERVED = Set.of("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT");

    private final PathSpaces spaces;

    MalformedRequests(PathSpaces spaces) {
        this.spaces = spaces;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        String problem = PathEncoding.problem(path);
        Throwable refusal = null;
        if (problem != null) {
            refusal = new DomainException.Invalid(Reason.REQUEST, "The request path is malformed: " + problem + ".");
        } else if (!METHODS.contains(request.getMethod())) {
            refusal = new RouteNotFound(clip(request.getMethod()), path, SERVED);
        }
        if (refusal == null) {
            return super.handle(request, response, callback);
        }
        HttpError error = spaces.dialectFor(path).errors().map(path == null ? "/" : path,
                refusal);
        JettyErrors.write(request, response, callback, error.status(), error);
        return true;
    }

    private static String clip(String method) {
        return method.length() > 16 ? method.substring(0, 16) : method;
    }
}
