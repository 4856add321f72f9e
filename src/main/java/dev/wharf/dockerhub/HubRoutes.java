package dev.wharf.dockerhub;

import static dev.wharf.dockerhub.HubAccess.CREDENTIALS_READ;
import static dev.wharf.dockerhub.HubAccess.CREDENTIALS_WRITE;
import static dev.wharf.dockerhub.HubAccess.PUBLIC;
import static dev.wharf.dockerhub.HubAccess.SIGNED_IN;

import dev.wharf.http.Dialect;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import io.javalin.http.Handler;
import java.util.Set;

/** Every route of the Docker Hub dialect, one line each, with the access it needs. */
public final class HubRoutes {
    /**
     * The first path segments under {@code /v2/} that belong to the Hub API, now and as it grows; no account may
     * take one of these names (see {@code Names.RESERVED}), so a registry path is never mistaken for a Hub route.
     */
    public static final Set<String> PATH_SPACE = Set.of("users", "auth", "access-tokens", "auditlogs", "orgs",
            "namespaces", "repositories", "invites", "scim", "search", "groups");

    private HubRoutes() {
    }

    public static Dialect dialect(HubApi hub, ImagesApi images) {
        RouteTable<HubAccess, Handler> routes = new RouteTable<HubAccess, Handler>()
                .post("/v2/users/login", PUBLIC, hub::usersLogin)
                .post("/v2/auth/token", PUBLIC, hub::authToken)
                .post("/v2/access-tokens", CREDENTIALS_WRITE, hub::createToken)
                .get("/v2/access-tokens", CREDENTIALS_READ, hub::listTokens)
                .get("/v2/access-tokens/{uuid}", CREDENTIALS_READ, hub::getToken)
                .patch("/v2/access-tokens/{uuid}", CREDENTIALS_WRITE, hub::patchToken)
                .delete("/v2/access-tokens/{uuid}", CREDENTIALS_WRITE, hub::deleteToken)
                .post("/v2/orgs/{name}/access-tokens", CREDENTIALS_WRITE, hub.orgTokens()::create)
                .get("/v2/orgs/{name}/access-tokens", CREDENTIALS_READ, hub.orgTokens()::list)
                .get("/v2/orgs/{name}/access-tokens/{id}", CREDENTIALS_READ, hub.orgTokens()::get)
                .patch("/v2/orgs/{name}/access-tokens/{id}", CREDENTIALS_WRITE, hub.orgTokens()::update)
                .delete("/v2/orgs/{name}/access-tokens/{id}", CREDENTIALS_WRITE, hub.orgTokens()::delete)
                .get("/v2/auditlogs/{account}", SIGNED_IN, hub::auditLogs)
                .get("/v2/auditlogs/{account}/actions", SIGNED_IN, hub::auditActions)
                // Images (Advanced Image Management, seed 004); errors in its {txnid, message, errinfo} shape
                .get("/v2/namespaces/{ns}/repositories/{repo}/images", SIGNED_IN, images::list)
                .get("/v2/namespaces/{ns}/repositories/{repo}/images/{digest}/tags", SIGNED_IN, images::tags)
                .get("/v2/namespaces/{ns}/repositories/{repo}/images-summary", SIGNED_IN, images::summary)
                .post("/v2/namespaces/{ns}/delete-images", SIGNED_IN, images::delete);
        return new Router<>(routes, hub.guard()::check, new HubErrors(images.clock()));
    }
}
