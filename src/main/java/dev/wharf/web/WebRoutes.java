package dev.wharf.web;

import static dev.wharf.web.WebAccess.PUBLIC;
import static dev.wharf.web.WebAccess.SIGNED_IN;

import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Members;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.accounts.Teams;
import dev.wharf.audit.AuditLog;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.WebSessions;
import dev.wharf.credentials.CredentialRules;
import dev.wharf.credentials.Credentials;
import dev.wharf.http.Dialect;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.Requests;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import dev.wharf.repositories.GarbageCollector;
import dev.wharf.repositories.Images;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.RepositoryProfiles;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;

/** Every route of the web UI, one line each, with the access it needs. It owns every path no API claims. */
public final class WebRoutes {
    private WebRoutes() {
    }

    /** The domain services the pages call. */
    public record Services(Authenticator authenticator, WebSessions sessions, Credentials credentials,
                           Accounts accounts, Members members, Teams teams, NamespaceSettingsStore namespaces,
                           AccessPolicy policy, Repositories repositories, RepositoryProfiles profiles,
                           Images images, AuditLog audit, GarbageCollector collector, CredentialRules rules) {
    }

    public static Dialect dialect(Services services, Requests requests, Clock clock) {
        Authenticator authenticator = services.authenticator();
        WebSessions sessions = services.sessions();
        Pages pages = new Pages();
        WebAuth auth = new WebAuth(sessions, authenticator, requests);
        SignInPages signIn = new SignInPages(authenticator, sessions, auth, pages, requests);
        TokenPages tokens = new TokenPages(services.credentials(), pages, requests, clock);
        RepositoryPages repos = new RepositoryPages(services.accounts(), services.policy(), services.repositories(),
                services.profiles(), services.images(), pages, requests, clock);
        OrgAccess orgAccess = new OrgAccess(services.accounts(), services.members(), services.policy());
        OrgPages orgs = new OrgPages(services.accounts(), services.members(), services.teams(),
                services.credentials(), services.namespaces(), orgAccess, pages, requests, clock);
        TeamPages teams = new TeamPages(services.teams(), services.repositories(), orgAccess, pages);
        AuditPages audit = new AuditPages(services.audit(), services.policy(), pages);
        AdminPages admin = new AdminPages(services.accounts(), services.collector(), services.rules(), pages, clock);
        Assets assets = new Assets();
        RouteTable<WebAccess, Handler> routes = new RouteTable<WebAccess, Handler>()
                .get("/", PUBLIC, signIn::home)
                .get("/signin", PUBLIC, signIn::form)
                .post("/signin", PUBLIC, signIn::submit)
                .post("/signout", SIGNED_IN, signIn::signOut)
                .get("/tokens", SIGNED_IN, tokens::list)
                .post("/tokens", SIGNED_IN, tokens::create)
                .post("/tokens/{uuid}/activate", SIGNED_IN, tokens::activate)
                .post("/tokens/{uuid}/deactivate", SIGNED_IN, tokens::deactivate)
                .get("/tokens/{uuid}/rotate", SIGNED_IN, tokens::rotateForm)
                .post("/tokens/{uuid}/rotate", SIGNED_IN, tokens::rotate)
                .post("/tokens/{uuid}/delete", SIGNED_IN, tokens::delete)
                .get("/repositories", SIGNED_IN, repos::home)
                .get("/repositories/{namespace}", SIGNED_IN, repos::list)
                .get("/repositories/{namespace}/{repository}", SIGNED_IN, repos::show)
                .post("/repositories/{namespace}/{repository}/description", SIGNED_IN, repos::describe)
                .post("/repositories/{namespace}/{repository}/privacy", SIGNED_IN, repos::privacy)
                .post("/repositories/{namespace}/{repository}/immutable-tags", SIGNED_IN, repos::immutableTags)
                .post("/repositories/{namespace}/{repository}/delete", SIGNED_IN, repos::deleteRepository)
                .post("/repositories/{namespace}/{repository}/tags/{tag}/delete", SIGNED_IN, repos::deleteTag)
                .get("/repositories/{namespace}/{repository}/images/{digest}/delete", SIGNED_IN, repos::previewDelete)
                .post("/repositories/{namespace}/{repository}/images/{digest}/delete", SIGNED_IN, repos::delete)
                .get("/orgs", SIGNED_IN, orgs::list)
                .post("/orgs", SIGNED_IN, orgs::create)
                .get("/orgs/{org}", SIGNED_IN, orgs::show)
                .post("/orgs/{org}/members", SIGNED_IN, orgs::addMember)
                .post("/orgs/{org}/members/{username}/role", SIGNED_IN, orgs::changeRole)
                .post("/orgs/{org}/members/{username}/remove", SIGNED_IN, orgs::removeMember)
                .post("/orgs/{org}/robots", SIGNED_IN, orgs::createRobot)
                .post("/orgs/{org}/robots/{uuid}/delete", SIGNED_IN, orgs::deleteRobot)
                .post("/orgs/{org}/settings", SIGNED_IN, orgs::saveSettings)
                .get("/orgs/{org}/teams", SIGNED_IN, teams::list)
                .post("/orgs/{org}/teams", SIGNED_IN, teams::create)
                .get("/orgs/{org}/teams/{team}", SIGNED_IN, teams::show)
                .post("/orgs/{org}/teams/{team}/members", SIGNED_IN, teams::addMember)
                .post("/orgs/{org}/teams/{team}/members/{username}/remove", SIGNED_IN, teams::removeMember)
                .post("/orgs/{org}/teams/{team}/permissions", SIGNED_IN, teams::grant)
                .post("/orgs/{org}/teams/{team}/delete", SIGNED_IN, teams::delete)
                .get("/audit", SIGNED_IN, audit::home)
                .get("/audit/{account}", SIGNED_IN, audit::list)
                .get("/admin/users", SIGNED_IN, admin::users)
                .post("/admin/users", SIGNED_IN, admin::createUser)
                .post("/admin/users/{username}/delete", SIGNED_IN, admin::deleteUser)
                .get("/admin/gc", SIGNED_IN, admin::collection)
                .post("/admin/gc", SIGNED_IN, admin::startCollection)
                .get("/admin/gc/{uuid}", SIGNED_IN, admin::collectionRun)
                .get("/admin/policy", SIGNED_IN, admin::policy)
                .get("/static/{file}", PUBLIC, assets::serve);
        Router<WebAccess> router = new Router<>(routes, auth::check, new WebErrors(pages));
        return new Dialect() {
            @Override
            public void serve(Context ctx) {
                Pages.secure(ctx);
                router.serve(ctx);
            }

            @Override
            public ErrorMapper errors() {
                return router.errors();
            }
        };
    }
}
