package dev.wharf.http;

import io.javalin.http.Context;

/** What routing recorded on a request: the matched route's pattern (for metrics and logs) and its parameters. */
public final class Routed {
    private static final String MATCH = "wharf.route.match";
    private static final String PATTERN = "wharf.route.pattern";

    private Routed() {
    }

    public static void record(Context ctx, RouteTable.Match<?, ?> match) {
        ctx.attribute(MATCH, match);
        ctx.attribute(PATTERN, match.route().pattern());
    }

    /** The pattern of the route that served the request, or null when none matched. */
    public static String pattern(Context ctx) {
        return ctx.attribute(PATTERN);
    }

    /** A decoded path parameter of the matched route. */
    public static String parameter(Context ctx, String name) {
        RouteTable.Match<?, ?> match = ctx.attribute(MATCH);
        String value = match == null ? null : match.parameter(name);
        if (value == null) {
            throw new IllegalStateException("the route has no parameter " + name);
        }
        return value;
    }
}
