package dev.wharf.registry;

import dev.wharf.http.RouteTable;
import io.javalin.http.Context;

/**
 * One registry request after the dispatcher has parsed and authorized it: handlers read their parameters from here
 * and never re-parse the path.
 *
 * @param name the repository, or null for the routes that name none
 */
record RegistryRequest(Context ctx, Caller caller, dev.wharf.repositories.RepositoryName name,
                       RouteTable.Match<?, ?> match) {

    /** A decoded path parameter: {@code digest}, {@code reference} or {@code uuid}. */
    String parameter(String key) {
        return match.parameter(key);
    }

    String query(String key) {
        return ctx.queryParam(key);
    }

    String header(String key) {
        return ctx.header(key);
    }
}
