package dev.wharf.web;

import static dev.wharf.web.WebAccess.PUBLIC;
import static dev.wharf.web.WebAccess.SIGNED_IN;

import dev.wharf.auth.Authenticator;
import dev.wharf.auth.WebSessions;
import dev.wharf.credentials.Credentials;
import dev.wharf.http.Dialect;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.Requests;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;

/** Every route of the web UI, one line each, with the access it needs. It owns every path no API claims. */
public final class WebRoutes {
    private WebRoutes() {
    }

    public static Dialect dialect(Authenticator authenticator, WebSessions sessions, Credentials credentials,
                                  Requests requests, Clock clock) {
        Pages pages = new Pages();
        WebAuth auth = new WebAuth(sessions, authenticator, requests);
        SignInPages signIn = new SignInPages(authenticator, sessions, auth, pages, requests);
        TokenPages tokens = new TokenPages(credentials, pages, requests, clock);
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
                .post("/tokens/{uuid}/rotate", SIGNED_IN, tokens::rotate)
                .post("/tokens/{uuid}/delete", SIGNED_IN, tokens::delete)
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
