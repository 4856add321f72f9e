package dev.wharf.registry;

import dev.wharf.accounts.Accounts;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Jwts;
import dev.wharf.repositories.PullCounter;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.repositories.Uploads;
import dev.wharf.server.Requests;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OCI distribution dialect's entry points and its one dispatcher. For every request under {@code /v2/<name>/…}
 * the dispatcher adds the API version header, matches the path against the route table, validates the name, checks the
 * method, authenticates, authorizes the actions the method needs, and only then calls a thin handler with a parsed
 * {@link RegistryRequest}. Errors from anywhere are written once by {@link RegistryErrors}.
 */
public final class RegistryApi {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    static final String API_VERSION = "registry/2.0";

    /** A handler that receives a parsed, authorized request. */
    @FunctionalInterface
    interface RegistryHandler {
        void handle(RegistryRequest request) throws Exception;
    }

    /**
     * The route table: each path shape of the spec with its handlers by method. The name group is matched loosely and
     * validated against the spec's grammar afterwards, so that a bad name gets NAME_INVALID rather than a 404.
     */
    private enum Route {
        UPLOADS("(.+)/blobs/uploads/?"),
        UPLOAD("(.+)/blobs/uploads/([^/]+)"),
        BLOB("(.+)/blobs/([^/]+)"),
        MANIFEST("(.+)/manifests/([^/]+)"),
        TAGS("(.+)/tags/list"),
        REFERRERS("(.+)/referrers/([^/]+)");

        final Pattern pattern;

        Route(String regex) {
            this.pattern = Pattern.compile(regex);
        }
    }

    private final RegistryAuth auth;
    private final TokenEndpoint tokenEndpoint;
    private final ListingHandlers listings;
    private final RegistryErrors errors = new RegistryErrors();
    private final Map<Route, Map<HandlerType, RegistryHandler>> table;

    public RegistryApi(Authenticator authenticator, Accounts accounts, Jwts jwts,
                       Repositories repositories, Uploads uploads, PullCounter pulls, Requests requests) {
        AccessControl access = new AccessControl(accounts, repositories);
        RegistryTokens registryTokens = new RegistryTokens(jwts);
        this.auth = new RegistryAuth(authenticator, registryTokens, access, requests);
        this.tokenEndpoint = new TokenEndpoint(auth, registryTokens, requests);
        this.listings = new ListingHandlers(repositories, access);
        BlobHandlers blobs = new BlobHandlers(repositories);
        UploadHandlers up = new UploadHandlers(repositories, uploads, auth, access);
        ManifestHandlers manifests = new ManifestHandlers(repositories, pulls, access);
        this.table = Map.of(
                Route.UPLOADS, Map.of(HandlerType.POST, up::start),
                Route.UPLOAD, Map.of(HandlerType.GET, up::status, HandlerType.PATCH, up::patch,
                        HandlerType.PUT, up::complete, HandlerType.DELETE, up::cancel),
                Route.BLOB, Map.of(HandlerType.HEAD, blobs::head, HandlerType.GET, blobs::get,
                        HandlerType.DELETE, blobs::delete),
                Route.MANIFEST, Map.of(HandlerType.HEAD, manifests::head, HandlerType.GET, manifests::get,
                        HandlerType.PUT, manifests::put, HandlerType.DELETE, manifests::delete),
                Route.TAGS, Map.of(HandlerType.GET, listings::tags),
                Route.REFERRERS, Map.of(HandlerType.GET, listings::referrers));
    }

    public RegistryErrors errors() {
        return errors;
    }

    /** {@code GET /v2/}: 200 for any caller that authenticated, else 401 with the challenge. */
    public void base(Context ctx) {
        ctx.header(API_VERSION_HEADER, API_VERSION);
        Caller caller = auth.authenticate(ctx);
        if (caller.kind() == Caller.Kind.ANONYMOUS) {
            throw auth.unauthorized(ctx, null, null, "authentication required");
        }
        ctx.contentType("application/json").result("{}");
    }

    /** {@code GET /v2/_catalog}. */
    public void catalog(Context ctx) {
        ctx.header(API_VERSION_HEADER, API_VERSION);
        listings.catalog(ctx, auth.authenticate(ctx));
    }

    /** {@code GET /token}. */
    public void token(Context ctx) {
        tokenEndpoint.get(ctx);
    }

    /** {@code POST /token}. */
    public void tokenForm(Context ctx) {
        tokenEndpoint.post(ctx);
    }

    /** Every other {@code /v2/…} request. */
    public void dispatch(Context ctx) throws Exception {
        ctx.header(API_VERSION_HEADER, API_VERSION);
        String path = ctx.path().substring("/v2/".length());
        for (Route route : Route.values()) {
            Matcher m = route.pattern.matcher(path);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            String problem = RepositoryName.problem(name);
            if (problem != null) {
                throw new RegistryException(OciError.NAME_INVALID, problem);
            }
            RegistryHandler handler = table.get(route).get(ctx.method());
            if (handler == null) {
                throw new RegistryException(OciError.UNSUPPORTED, ctx.method() + " is not supported here");
            }
            RepositoryName repository = new RepositoryName(name);
            Caller caller = auth.authenticate(ctx);
            auth.authorize(ctx, caller, repository, needed(route, ctx.method()));
            handler.handle(new RegistryRequest(ctx, caller, repository, m.groupCount() > 1 ? m.group(2) : null));
            return;
        }
        throw new RegistryException(OciError.NOT_FOUND, "no registry endpoint at " + ctx.path());
    }

    /**
     * The actions a request needs, from the method (as CNCF distribution does): GET/HEAD pull, POST/PUT/PATCH pull
     * and push, DELETE delete. Every upload-session request needs push, whatever its method: cancelling or polling
     * an upload is part of pushing, not a deletion or a pull.
     */
    private static Set<Action> needed(Route route, HandlerType method) {
        if (route == Route.UPLOADS || route == Route.UPLOAD) {
            return EnumSet.of(Action.PULL, Action.PUSH);
        }
        if (method.equals(HandlerType.GET) || method.equals(HandlerType.HEAD)) {
            return EnumSet.of(Action.PULL);
        }
        if (method.equals(HandlerType.DELETE)) {
            return EnumSet.of(Action.DELETE);
        }
        return EnumSet.of(Action.PULL, Action.PUSH);
    }
}
