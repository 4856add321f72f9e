package dev.wharf.web;

import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.auth.WebSessions;
import dev.wharf.core.DomainException;
import dev.wharf.credentials.TokenSecret;
import dev.wharf.http.Requests;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/**
 * Signing in and out. Only a password signs in here: an access token is for clients and scripts, as on Docker Hub,
 * and is refused without being checked. Sign-ins go through the same throttle as the API's.
 */
public final class SignInPages {
    private final Authenticator authenticator;
    private final WebSessions sessions;
    private final WebAuth auth;
    private final Pages pages;
    private final Requests requests;

    SignInPages(Authenticator authenticator, WebSessions sessions, WebAuth auth, Pages pages, Requests requests) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.auth = auth;
        this.pages = pages;
        this.requests = requests;
    }

    /** What the sign-in page shows: where to go next, the name typed so far, and what went wrong. */
    public record SignInPage(Chrome chrome, String next, String username, String error) {
    }

    void home(Context ctx) {
        ctx.redirect(WebAuth.maybeSignedIn(ctx).isPresent() ? "/tokens" : "/signin", HttpStatus.SEE_OTHER);
    }

    void form(Context ctx) {
        if (WebAuth.maybeSignedIn(ctx).isPresent()) {
            ctx.redirect(next(ctx.queryParam("next")), HttpStatus.SEE_OTHER);
            return;
        }
        pages.render(ctx, "signin.jte", new SignInPage(Chrome.anonymous("Sign in"), next(ctx.queryParam("next")),
                "", null));
    }

    void submit(Context ctx) {
        String username = ctx.formParam("username");
        String password = ctx.formParam("password");
        String next = next(ctx.formParam("next"));
        if (password != null && TokenSecret.hasKnownPrefix(password)) {
            refuse(ctx, next, username, "Access tokens cannot be used to sign in here: use your password. Tokens "
                    + "are for docker login, skopeo and the API.");
            return;
        }
        Principal principal;
        try {
            principal = authenticator.signIn(username, password, requests.clientIp(ctx));
        } catch (DomainException.Unauthenticated e) {
            refuse(ctx, next, username, "Incorrect username or password.");
            return;
        }
        WebSessions.Started started = sessions.start(principal.account().id());
        ctx.res().addHeader("Set-Cookie", auth.cookie(ctx, started.secret(), sessions.lifetime().toSeconds()));
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    void signOut(Context ctx) {
        String secret = ctx.cookie(WebAuth.COOKIE);
        if (secret != null) {
            sessions.end(secret);
        }
        ctx.res().addHeader("Set-Cookie", auth.cookie(ctx, null, 0));
        ctx.redirect("/signin", HttpStatus.SEE_OTHER);
    }

    private void refuse(Context ctx, String next, String username, String error) {
        ctx.status(401);
        pages.render(ctx, "signin.jte", new SignInPage(Chrome.anonymous("Sign in"), next,
                username == null ? "" : username.substring(0, Math.min(username.length(), 100)), error));
    }

    /** A page of this site to go to after signing in: a local path, never another site's address. */
    private static String next(String requested) {
        if (requested == null || !requested.startsWith("/") || requested.startsWith("//")
                || requested.startsWith("/\\") || requested.length() > 512) {
            return "/tokens";
        }
        return requested;
    }
}
