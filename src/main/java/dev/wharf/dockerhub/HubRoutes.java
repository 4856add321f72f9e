package dev.wharf.dockerhub;

import static dev.wharf.dockerhub.HubAccess.ANYONE;
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

    /** Docker Hub's API v1, removed in 2022: its paths answer 410 Gone, as Hub's do. */
    public static final String V1_PREFIX = "/v1/";

    private HubRoutes() {
    }

    public static Dialect dialect(HubApi hub, ImagesApi images) {
        RepositoriesApi repos = hub.repositories();
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
                // Repositories and tags (issue 10, sections 1 and 2); anonymous callers see public ones only.
                .get("/v2/namespaces/{namespace}/repositories", ANYONE, repos::list)
                .post("/v2/namespaces/{namespace}/repositories", SIGNED_IN, repos::create)
                .get("/v2/namespaces/{namespace}/repositories/{repository}", ANYONE, repos::get)
                .head("/v2/namespaces/{namespace}/repositories/{repository}", ANYONE, repos::head)
                .get("/v2/namespaces/{namespace}/repositories/{repository}/tags", ANYONE, repos::listTags)
                .head("/v2/namespaces/{namespace}/repositories/{repository}/tags", ANYONE, repos::headTags)
                .get("/v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}", ANYONE, repos::getTag)
                .head("/v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}", ANYONE, repos::headTag)
                .patch("/v2/namespaces/{namespace}/repositories/{repository}/immutabletags", SIGNED_IN, repos::updateImmutableTags)
                .post("/v2/namespaces/{namespace}/repositories/{repository}/immutabletags/verify", SIGNED_IN, repos::verifyImmutableTags)
                .get("/v2/repositories/{namespace}", ANYONE, repos::legacyList)
                .get("/v2/repositories/{namespace}/{repository}", ANYONE, repos::legacyGet)
                .patch("/v2/repositories/{namespace}/{repository}", SIGNED_IN, repos::update)
                .delete("/v2/repositories/{namespace}/{repository}", SIGNED_IN, repos::delete)
                .post("/v2/repositories/{namespace}/{repository}/privacy", SIGNED_IN, repos::privacy)
                .get("/v2/repositories/{namespace}/{repository}/tags", ANYONE, repos::legacyListTags)
                .delete("/v2/repositories/{namespace}/{repository}/tags/{tag}", SIGNED_IN, repos::deleteTag)
                // Organization members and groups (teams): account work, so the credential routes' access; members
                // read, owners change (checked by OrgsApi and TeamsApi through the access policy).
                .get("/v2/orgs/{org}/members/export", CREDENTIALS_READ, hub.orgs()::export)
                .get("/v2/orgs/{org}/members", CREDENTIALS_READ, hub.orgs()::list)
                .put("/v2/orgs/{org}/members/{username}", CREDENTIALS_WRITE, hub.orgs()::update)
                .delete("/v2/orgs/{org}/members/{username}", CREDENTIALS_WRITE, hub.orgs()::remove)
                .get("/v2/orgs/{org}/groups", CREDENTIALS_READ, hub.teams()::list)
                .post("/v2/orgs/{org}/groups", CREDENTIALS_WRITE, hub.teams()::create)
                .get("/v2/orgs/{org}/groups/{group}", CREDENTIALS_READ, hub.teams()::get)
                .put("/v2/orgs/{org}/groups/{group}", CREDENTIALS_WRITE, hub.teams()::replace)
                .patch("/v2/orgs/{org}/groups/{group}", CREDENTIALS_WRITE, hub.teams()::patch)
                .delete("/v2/orgs/{org}/groups/{group}", CREDENTIALS_WRITE, hub.teams()::delete)
                .get("/v2/orgs/{org}/groups/{group}/members", CREDENTIALS_READ, hub.teams()::members)
                .post("/v2/orgs/{org}/groups/{group}/members", CREDENTIALS_WRITE, hub.teams()::addMember)
                .delete("/v2/orgs/{org}/groups/{group}/members/{username}", CREDENTIALS_WRITE, hub.teams()::removeMember)
                .post("/v2/repositories/{namespace}/{repository}/groups", CREDENTIALS_WRITE, hub.teams()::grantRepository)
                // Org settings: restricted images (issue 10, section 5)
                .get("/v2/orgs/{name}/settings", SIGNED_IN, hub.orgSettings()::get)
                .put("/v2/orgs/{name}/settings", CREDENTIALS_WRITE, hub.orgSettings()::put)
                // Images (Advanced Image Management, seed 004); errors in its {txnid, message, errinfo} shape
                .get("/v2/namespaces/{namespace}/repositories/{repository}/images", SIGNED_IN, images::list)
                .get("/v2/namespaces/{namespace}/repositories/{repository}/images/{digest}/tags", SIGNED_IN, images::tags)
                .get("/v2/namespaces/{namespace}/repositories/{repository}/images-summary", SIGNED_IN, images::summary)
                .post("/v2/namespaces/{namespace}/delete-images", SIGNED_IN, images::delete)
                .get("/v1/<path>", PUBLIC, repos::v1Gone)
                .put("/v1/<path>", PUBLIC, repos::v1Gone)
                .delete("/v1/<path>", PUBLIC, repos::v1Gone);
        return new Router<>(routes, hub.guard()::check, new HubErrors(images.clock()));
    }
}
