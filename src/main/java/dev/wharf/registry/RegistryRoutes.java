package dev.wharf.registry;

import static dev.wharf.registry.RegistryRoutes.Needs.ANYONE;
import static dev.wharf.registry.RegistryRoutes.Needs.DELETE;
import static dev.wharf.registry.RegistryRoutes.Needs.PULL;
import static dev.wharf.registry.RegistryRoutes.Needs.PUSH;
import static dev.wharf.registry.RegistryRoutes.Needs.TOKEN;

import dev.wharf.repositories.Action;
import dev.wharf.http.RouteTable;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every route of the OCI distribution dialect and the token endpoint, one line each, with what it needs. The
 * actions follow the method, as CNCF distribution assigns them: GET/HEAD pull, POST/PUT/PATCH pull and push, DELETE
 * delete; every upload-session request needs push, whatever its method, because cancelling or polling an upload is
 * part of pushing. {@code <name>} is a repository name, slashes included; order matters only where two patterns
 * could match one path, and then the first wins.
 */
final class RegistryRoutes {
    /** The first path segment of the registry's token endpoint. */
    static final String TOKEN_PATH = "/token";

    private RegistryRoutes() {
    }

    /** What a route needs from its caller. */
    @SuppressWarnings("ImmutableEnumChecker") // the sets are EnumSets never handed out for change
    enum Needs {
        /** Nothing checked by the dispatcher: the token endpoint authenticates the credentials it is sent. */
        TOKEN(null),
        /** An identified or anonymous caller, no repository. */
        ANYONE(null),
        PULL(EnumSet.of(Action.PULL)),
        PUSH(EnumSet.of(Action.PULL, Action.PUSH)),
        DELETE(EnumSet.of(Action.DELETE));

        /** The actions needed on the route's repository; null for the routes that name none. */
        final Set<Action> actions;

        Needs(Set<Action> actions) {
            this.actions = actions;
        }
    }

    /** A route's handler, which receives the parsed, authorized request. */
    @FunctionalInterface
    interface Handler {
        void handle(RegistryRequest request) throws Exception;
    }

    static RouteTable<Needs, Handler> table(RegistryApi api, UploadHandlers uploads, BlobHandlers blobs,
                                            ManifestHandlers manifests, ListingHandlers listings,
                                            TokenEndpoint token) {
        return new RouteTable<Needs, Handler>()
                .get("/token", TOKEN, token::get)
                .post("/token", TOKEN, token::post)
                .get("/v2/", ANYONE, api::base)
                .head("/v2/", ANYONE, api::base)
                .get("/v2/_catalog", ANYONE, listings::catalog)
                .post("/v2/<name>/blobs/uploads/", PUSH, uploads::start)
                .get("/v2/<name>/blobs/uploads/{uuid}", PUSH, uploads::status)
                .patch("/v2/<name>/blobs/uploads/{uuid}", PUSH, uploads::patch)
                .put("/v2/<name>/blobs/uploads/{uuid}", PUSH, uploads::complete)
                .delete("/v2/<name>/blobs/uploads/{uuid}", PUSH, uploads::cancel)
                .head("/v2/<name>/blobs/{digest}", PULL, blobs::head)
                .get("/v2/<name>/blobs/{digest}", PULL, blobs::get)
                .delete("/v2/<name>/blobs/{digest}", DELETE, blobs::delete)
                .head("/v2/<name>/manifests/{reference}", PULL, manifests::head)
                .get("/v2/<name>/manifests/{reference}", PULL, manifests::get)
                .put("/v2/<name>/manifests/{reference}", PUSH, manifests::put)
                .delete("/v2/<name>/manifests/{reference}", DELETE, manifests::delete)
                .get("/v2/<name>/tags/list", PULL, listings::tags)
                .get("/v2/<name>/referrers/{digest}", PULL, listings::referrers);
    }
}
