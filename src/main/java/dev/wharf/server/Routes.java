package dev.wharf.server;

import dev.wharf.admin.AdminApi;
import dev.wharf.admin.AdminErrors;
import dev.wharf.dockerhub.HubApi;
import dev.wharf.dockerhub.HubErrors;
import dev.wharf.registry.RegistryApi;
import dev.wharf.registry.RegistryErrors;
import io.javalin.http.HandlerType;
import io.javalin.config.RoutesConfig;

/** Every route Wharf serves, in one place. Each dialect's handlers are wrapped by that dialect's error mapper. */
final class Routes {
    private Routes() {
    }

    static void register(RoutesConfig routes, Wharf wharf) {
        routes.get("/healthz", ctx -> ctx.result("ok"));
        routes.get("/metrics", wharf.observability()::serveMetrics);

        HubApi hub = wharf.hubApi();
        HubErrors hubErrors = HubErrors.standard();
        HubErrors auditErrors = HubErrors.auditLogs();
        routes.post("/v2/users/login", hubErrors.wrap(hub::usersLogin));
        routes.post("/v2/auth/token", hubErrors.wrap(hub::authToken));
        routes.post("/v2/access-tokens", hubErrors.wrap(hub::createToken));
        routes.get("/v2/access-tokens", hubErrors.wrap(hub::listTokens));
        routes.get("/v2/access-tokens/{uuid}", hubErrors.wrap(hub::getToken));
        routes.patch("/v2/access-tokens/{uuid}", hubErrors.wrap(hub::patchToken));
        routes.delete("/v2/access-tokens/{uuid}", hubErrors.wrap(hub::deleteToken));
        routes.get("/v2/auditlogs/{account}", auditErrors.wrap(hub::auditLogs));
        routes.get("/v2/auditlogs/{account}/actions", auditErrors.wrap(hub::auditActions));

        AdminApi admin = wharf.adminApi();
        AdminErrors adminErrors = new AdminErrors();
        routes.post("/api/v1/users", adminErrors.wrap(admin::createUser));
        routes.get("/api/v1/users", adminErrors.wrap(admin::listUsers));
        routes.delete("/api/v1/users/{username}", adminErrors.wrap(admin::deleteUser));
        routes.post("/api/v1/orgs", adminErrors.wrap(admin::createOrg));
        routes.put("/api/v1/orgs/{org}/members/{username}", adminErrors.wrap(admin::putMember));
        routes.delete("/api/v1/orgs/{org}/members/{username}", adminErrors.wrap(admin::deleteMember));

        // OCI distribution registry (issue 3). Registered last: the Hub routes above own their /v2/ paths (their first
        // segments are reserved account names), and everything else under /v2/ reaches the registry's dispatcher,
        // which matches the spec's paths itself because repository names contain slashes.
        RegistryApi registry = wharf.registryApi();
        RegistryErrors registryErrors = registry.errors();
        routes.get("/token", registryErrors.wrap(registry::token));
        routes.post("/token", registryErrors.wrap(registry::tokenForm));
        routes.get("/v2/", registryErrors.wrap(registry::base));
        routes.head("/v2/", registryErrors.wrap(registry::base));
        routes.get("/v2", registryErrors.wrap(registry::base));
        routes.get("/v2/_catalog", registryErrors.wrap(registry::catalog));
        for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.HEAD, HandlerType.POST,
                HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE}) {
            routes.addHttpHandler(method, "/v2/<path>", registryErrors.wrap(registry::dispatch));
        }
    }
}
