package dev.wharf.http;

import java.util.Set;

/**
 * No route of the dialect serves this request: a 404 when no route has the path, a 405 (with {@code Allow}) when
 * routes have it for other methods. Each dialect writes it in its own error shape.
 */
public final class RouteNotFound extends RuntimeException {
    private final String method;
    private final Set<String> allowedMethods;

    public RouteNotFound(String method, String path, Set<String> allowedMethods) {
        super(allowedMethods.isEmpty() ? "no endpoint at " + clip(path) : "method not allowed at " + clip(path),
                null, false, false);
        this.method = method;
        this.allowedMethods = Set.copyOf(allowedMethods);
    }

    /** The request's method. */
    public String method() {
        return method;
    }

    /** The methods the path supports; empty when no route has the path at all. */
    public Set<String> allowedMethods() {
        return allowedMethods;
    }

    public boolean isMethodNotAllowed() {
        return !allowedMethods.isEmpty();
    }

    /** The {@code Allow} header's value, in a stable order. */
    public String allowHeader() {
        return String.join(", ", allowedMethods.stream().sorted().toList());
    }

    private static String clip(String path) {
        return path.length() > 200 ? path.substring(0, 200) + "…" : path;
    }
}
