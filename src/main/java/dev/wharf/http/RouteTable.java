package dev.wharf.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dialect's routes: one line per route, each with the access it needs. Patterns are paths with parameters:
 * {@code {id}} matches one path segment, {@code <name>} one or more segments (repository names contain slashes;
 * the longest name that lets the rest of the pattern match wins). A trailing slash is optional on every route,
 * because Docker Hub clients send both forms.
 *
 * <p>Matching works on the raw (still percent-encoded) path; parameter values are decoded, and the server has already
 * refused a path whose encoding is malformed. Knowing every route of its dialect, the table also answers what the
 * dialect must say when nothing matches: 405 with the methods that would, or 404.
 *
 * @param <A> what the dialect's routes declare about access
 * @param <H> the dialect's handler type
 */
public final class RouteTable<A, H> {
    private static final Pattern PARAMETER = Pattern.compile("\\{([a-z_]+)}|<([a-z_]+)>");

    private final List<Route<A, H>> routes = new ArrayList<>();

    /**
     * One route. {@code pattern} is what metrics and logs call it; {@code literals} are the fixed parts of the
     * pattern, which a path must contain before its regex is worth running.
     */
    public record Route<A, H>(String method, String pattern, A access, H handler, Pattern regex, List<String> names,
                              List<String> literals) {
        boolean mayMatch(String path) {
            for (String literal : literals) {
                if (!path.contains(literal)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A route that matched a request, with the path's parameters. */
    public record Match<A, H>(Route<A, H> route, Map<String, String> parameters) {
        public String parameter(String name) {
            return parameters.get(name);
        }
    }

    public RouteTable<A, H> get(String pattern, A access, H handler) {
        return add("GET", pattern, access, handler);
    }

    public RouteTable<A, H> head(String pattern, A access, H handler) {
        return add("HEAD", pattern, access, handler);
    }

    public RouteTable<A, H> post(String pattern, A access, H handler) {
        return add("POST", pattern, access, handler);
    }

    public RouteTable<A, H> put(String pattern, A access, H handler) {
        return add("PUT", pattern, access, handler);
    }

    public RouteTable<A, H> patch(String pattern, A access, H handler) {
        return add("PATCH", pattern, access, handler);
    }

    public RouteTable<A, H> delete(String pattern, A access, H handler) {
        return add("DELETE", pattern, access, handler);
    }

    public RouteTable<A, H> add(String method, String pattern, A access, H handler) {
        StringBuilder regex = new StringBuilder();
        List<String> names = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        String body = pattern.endsWith("/") && pattern.length() > 1 ? pattern.substring(0, pattern.length() - 1)
                : pattern;
        Matcher m = PARAMETER.matcher(body);
        int at = 0;
        while (m.find()) {
            literals.add(body.substring(at, m.start()));
            regex.append(Pattern.quote(body.substring(at, m.start())));
            if (m.group(1) != null) {
                names.add(m.group(1));
                regex.append("([^/]+)");
            } else {
                names.add(m.group(2));
                regex.append("(.+)");
            }
            at = m.end();
        }
        literals.add(body.substring(at));
        literals.removeIf(String::isEmpty);
        regex.append(Pattern.quote(body.substring(at))).append("/?");
        routes.add(new Route<>(method, pattern, access, handler, Pattern.compile(regex.toString()),
                List.copyOf(names), List.copyOf(literals)));
        return this;
    }

    public List<Route<A, H>> routes() {
        return List.copyOf(routes);
    }

    /**
     * The route for {@code method} and the raw {@code path}.
     *
     * @throws RouteNotFound when no route has this path, or only routes for other methods
     */
    public Match<A, H> match(String method, String path) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Route<A, H> route : routes) {
            if (!route.mayMatch(path)) {
                continue;
            }
            Matcher m = route.regex().matcher(path);
            if (!m.matches()) {
                continue;
            }
            if (!route.method().equals(method)) {
                allowed.add(route.method());
                continue;
            }
            Map<String, String> parameters = new java.util.HashMap<>();
            for (int i = 0; i < route.names().size(); i++) {
                parameters.put(route.names().get(i), PathEncoding.decode(m.group(i + 1)));
            }
            return new Match<>(route, parameters);
        }
        throw new RouteNotFound(method, path, allowed);
    }
}
