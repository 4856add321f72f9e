package dev.wharf.registry;

import dev.wharf.repositories.RepositoryName;
import io.javalin.http.Context;

/**
 * One registry request after the dispatcher has parsed and authorized it: handlers read their parameters from here
 * and never re-parse the path.
 *
 * @param argument the digest, reference or upload id the path names, or null
 */
record RegistryRequest(Context ctx, Caller caller, RepositoryName name, String argument) {

    String query(String key) {
        return ctx.queryParam(key);
    }

    String header(String key) {
        return ctx.header(key);
    }
}
