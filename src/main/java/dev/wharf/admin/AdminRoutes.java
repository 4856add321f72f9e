package dev.wharf.admin;

import static dev.wharf.admin.AdminApi.Access.PUBLIC;
import static dev.wharf.admin.AdminApi.Access.MANAGES_CREDENTIALS;
import static dev.wharf.admin.AdminApi.Access.SIGNED_IN;
import static dev.wharf.admin.AdminApi.Access.SITE_ADMIN;

import dev.wharf.http.Dialect;
import dev.wharf.http.MessageErrors;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import io.javalin.http.Handler;

/** Every route of Wharf's admin API, one line each, with the access it needs. */
public final class AdminRoutes {
    /** The path space this dialect owns. */
    public static final String PREFIX = "/api/v1/";

    private AdminRoutes() {
    }

    public static Dialect dialect(AdminApi admin, CollectionApi gc, RetentionApi retention) {
        RouteTable<AdminApi.Access, Handler> routes = new RouteTable<AdminApi.Access, Handler>()
                .post("/api/v1/users", SITE_ADMIN, admin::createUser)
                .get("/api/v1/users", SITE_ADMIN, admin::listUsers)
                .delete("/api/v1/users/{username}", SITE_ADMIN, admin::deleteUser)
                .post("/api/v1/orgs", SIGNED_IN, admin::createOrg)
                .put("/api/v1/orgs/{org}/members/{username}", SIGNED_IN, admin::putMember)
                .delete("/api/v1/orgs/{org}/members/{username}", SIGNED_IN, admin::deleteMember)
                .put("/api/v1/namespaces/{name}/verified-publisher", SITE_ADMIN, admin::markVerifiedPublisher)
                .delete("/api/v1/namespaces/{name}/verified-publisher", SITE_ADMIN, admin::unmarkVerifiedPublisher)
                .post("/api/v1/credentials/revoke", PUBLIC, admin::revokeLeaked)
                .post("/api/v1/credentials/{uuid}/rotate", MANAGES_CREDENTIALS, admin::rotateCredential)
                .post("/api/v1/gc", SITE_ADMIN, gc::start)
                .get("/api/v1/gc", SITE_ADMIN, gc::list)
                .get("/api/v1/gc/{id}", SITE_ADMIN, gc::show)
                .get("/api/v1/repositories/{namespace}/<name>/retention", SIGNED_IN, retention::getRepository)
                .put("/api/v1/repositories/{namespace}/<name>/retention", SIGNED_IN, retention::setRepository)
                .delete("/api/v1/repositories/{namespace}/<name>/retention", SIGNED_IN, retention::deleteRepository)
                .post("/api/v1/repositories/{namespace}/<name>/retention/dry-run", SIGNED_IN, retention::tryRepository)
                .get("/api/v1/namespaces/{name}/retention", SIGNED_IN, retention::getNamespace)
                .put("/api/v1/namespaces/{name}/retention", SIGNED_IN, retention::setNamespace)
                .delete("/api/v1/namespaces/{name}/retention", SIGNED_IN, retention::deleteNamespace)
                .post("/api/v1/namespaces/{name}/retention/dry-run", SIGNED_IN, retention::tryNamespace);
        return new Router<>(routes, admin::check, new MessageErrors());
    }
}
