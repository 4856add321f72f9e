package dev.wharf.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * A dialect served from a {@link RouteTable} of plain handlers: matches the route, checks the access it declares
 * through the dialect's {@link Guard}, runs the handler, and writes any failure through the dialect's mapper.
 *
 * @param <A> what the dialect's routes declare about access
 */
public final class Router<A> implements Dialect {
    private final RouteTable<A, Handler> table;
    private final Guard<A> guard;
    private final ErrorMapper errors;

    /** Checks that the caller may use a route that declares {@code access}; throws the domain failure if not. */
    @FunctionalInterface
    public interface Guard<A> {
        void check(Context ctx, A access);
    }

    public Router(RouteTable<A, Handler> table, Guard<A> guard, ErrorMapper errors) {
        this.table = table;
        this.guard = guard;
        this.errors = errors;
    }

    @Override
    public void serve(Context ctx) {
        try {
            RouteTable.Match<A, Handler> match = table.match(ctx.req().getMethod(), ctx.path());
            Routed.record(ctx, match);
            guard.check(ctx, match.route().access());
            match.route().handler().handle(ctx);
        } catch (Exception e) {
            ErrorWriter.write(ctx, errors, e);
        }
    }

    @Override
    public ErrorMapper errors() {
        return errors;
    }

    public RouteTable<A, Handler> table() {
        return table;
    }
}
