package dev.wharf.registry;

import dev.wharf.access.AccessPolicy;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Jwts;
import dev.wharf.core.DomainException;
import dev.wharf.core.MemoryBudget;
import dev.wharf.core.Reason;
import dev.wharf.http.Dialect;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.ErrorWriter;
import dev.wharf.http.Requests;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Routed;
import dev.wharf.repositories.PullCounter;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.repositories.Uploads;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The OCI distribution dialect and its one dispatcher. For every request the dispatcher adds the API version header,
 * matches the route ({@link RegistryRoutes}), validates the repository name, authenticates, authorizes the actions
 * the route needs, and only then calls a thin handler with a parsed {@link RegistryRequest}. Errors from anywhere
 * are written once, through {@link RegistryErrors}.
 */
public final class RegistryApi implements Dialect {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    static final String API_VERSION = "registry/2.0";
    /** The path spaces this dialect owns: the registry API and its token endpoint. */
    public static final List<String> PREFIXES = List.of("/v2", RegistryRoutes.TOKEN_PATH);

    private final RegistryAuth auth;
    private final RegistryErrors errors = new RegistryErrors();
    private final RouteTable<RegistryRoutes.Needs, RegistryRoutes.Handler> routes;

    public RegistryApi(Authenticator authenticator, AccessPolicy policy, Jwts jwts, Repositories repositories,
                       Uploads uploads, PullCounter pulls, Requests requests, Clock clock) {
        RegistryTokens registryTokens = new RegistryTokens(jwts, clock);
        this.auth = new RegistryAuth(authenticator, registryTokens, policy, requests, clock);
        this.routes = RegistryRoutes.table(this,
                new UploadHandlers(repositories, uploads, auth, policy),
                new BlobHandlers(repositories),
                new ManifestHandlers(repositories, pulls, policy, MemoryBudget.ofHeap(0.125, Duration.ofSeconds(10))),
                new ListingHandlers(repositories, policy),
                new TokenEndpoint(auth, registryTokens, requests, clock));
    }

    @Override
    public ErrorMapper errors() {
        return errors;
    }

    @Override
    public void serve(Context ctx) {
        ctx.header(API_VERSION_HEADER, API_VERSION);
        try {
            RouteTable.Match<RegistryRoutes.Needs, RegistryRoutes.Handler> match =
                    routes.match(ctx.req().getMethod(), ctx.path());
            Routed.record(ctx, match);
            RegistryRoutes.Needs needs = match.route().access();
            if (needs == RegistryRoutes.Needs.TOKEN) {
                match.route().handler().handle(new RegistryRequest(ctx, null, null, match));
                return;
            }
            RepositoryName name = needs.actions == null ? null
                    : repositoryName(match.parameter("name"), ctx.req().getMethod());
            Caller caller = auth.authenticate(ctx);
            if (name != null) {
                auth.authorize(ctx, caller, name, needs.actions, mountSource(ctx));
            }
            match.route().handler().handle(new RegistryRequest(ctx, caller, name, match));
        } catch (Exception e) {
            ErrorWriter.write(ctx, errors, e);
        }
    }

    /**
     * The repository a path names. A name that is not one is answered so that clients can show why: a HEAD has no
     * body to carry the reason, so it gets 404 (name unknown) and the client goes on to the request that does; a pull
     * of a name without a namespace is a name that is not known; anything else gets 400 (name invalid) with the
     * reason in its detail.
     */
    private static RepositoryName repositoryName(String raw, String method) {
        String problem = RepositoryName.problem(raw);
        if (problem == null) {
            return new RepositoryName(raw);
        }
        boolean lookup = method.equals("GET") || method.equals("DELETE");
        if (method.equals("HEAD") || (lookup && RepositoryName.lacksOnlyNamespace(raw))) {
            throw new DomainException.NotFound(Reason.REPOSITORY_UNKNOWN, problem);
        }
        throw new DomainException.Invalid(Reason.REPOSITORY_NAME, problem);
    }

    /**
     * The scope a cross-repository mount needs besides the target's, for the challenge: pull on {@code from}, as
     * distribution adds it, so that a client that requests exactly the challenged scopes can mount.
     */
    private static List<String> mountSource(Context ctx) {
        String from = ctx.queryParam("mount") == null ? null : ctx.queryParam("from");
        if (from == null || RepositoryName.problem(from) != null || !"POST".equals(ctx.req().getMethod())) {
            return List.of();
        }
        return List.of("repository:" + from + ":pull");
    }

    /** {@code GET /v2/}: 200 for any caller that authenticated, else 401 with the challenge. */
    void base(RegistryRequest r) {
        if (r.caller().kind() == Caller.Kind.ANONYMOUS) {
            throw auth.unauthorized(r.ctx(), List.of(), null, "authentication required");
        }
        r.ctx().contentType("application/json").result("{}");
    }
}
