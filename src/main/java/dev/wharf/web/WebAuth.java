package dev.wharf.web;

import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.auth.WebSessions;
import dev.wharf.core.DomainException;
import dev.wharf.http.Requests;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who is signed in, from the session cookie, and whether a form is theirs. Every state-changing request must come
 * from this site: its {@code Origin} (or, without one, {@code Sec-Fetch-Site}) must be this site's, and a signed-in
 * one must carry the session's CSRF token, so another site can neither post a form in the person's name nor sign
 * them in to an account of its choosing.
 */
final class WebAuth {
    static final String COOKIE = "wharf_session";
    static final String CSRF_FIELD = "csrf";
    private static final String SIGNED_IN = "wharf.web.signedIn";

    private final WebSessions sessions;
    private final Authenticator authenticator;
    private final Requests requests;

    WebAuth(WebSessions sessions, Authenticator authenticator, Requests requests) {
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.requests = requests;
    }

    /** A person signed in through this session. */
    record SignedIn(Principal principal, WebSessions.Session session) {
    }

    void check(Context ctx, WebAccess access) {
        boolean changes = !"GET".equals(ctx.method().name()) && !"HEAD".equals(ctx.method().name());
        if (changes && !sameSite(ctx)) {
            throw new DomainException.Forbidden("This form was not sent from this site.");
        }
        Optional<SignedIn> signedIn = resume(ctx);
        signedIn.ifPresent(s -> ctx.attribute(SIGNED_IN, s));
        if (access == WebAccess.PUBLIC) {
            return;
        }
        if (signedIn.isEmpty()) {
            if (changes) {
                throw new DomainException.Unauthenticated("Your session has ended: sign in again.");
            }
            throw new SignInRequired();
        }
        if (changes && !csrfMatches(ctx.formParam(CSRF_FIELD), signedIn.get().session().csrfToken())) {
            throw new DomainException.Forbidden("This form has expired or was not sent from this site: reload the "
                    + "page and try again.");
        }
    }

    /** The person signed in on this request, after {@link #check}. */
    static SignedIn signedIn(Context ctx) {
        SignedIn s = ctx.attribute(SIGNED_IN);
        if (s == null) {
            throw new SignInRequired();
        }
        return s;
    }

    /** The person signed in on this request, if any (pages anyone may see still show who is signed in). */
    static Optional<SignedIn> maybeSignedIn(Context ctx) {
        return Optional.ofNullable(ctx.attribute(SIGNED_IN));
    }

    private Optional<SignedIn> resume(Context ctx) {
        String secret = ctx.cookie(COOKIE);
        if (secret == null) {
            return Optional.empty();
        }
        return sessions.find(secret).flatMap(session -> authenticator
                .resume(session.accountId(), null, null, requests.clientIp(ctx))
                .map(p -> new SignedIn(p, session)));
    }

    /** Whether the browser says the request comes from this site's own pages. */
    private boolean sameSite(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin != null) {
            return origin.equals(requests.baseUrl(ctx));
        }
        String fetchSite = ctx.header("Sec-Fetch-Site");
        // A browser sends one of the two on every POST; a client that sends neither is not a browser (curl, a
        // test), which no other site can make send this person's cookie.
        return fetchSite == null || fetchSite.equals("same-origin");
    }

    private static boolean csrfMatches(String sent, String expected) {
        return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    /** The cookie that carries a new session, or (with a null secret) ends it in the browser. */
    String cookie(Context ctx, String secret, long maxAgeSeconds) {
        boolean secure = requests.baseUrl(ctx).startsWith("https:");
        return COOKIE + "=" + (secret == null ? "" : secret) + "; Path=/; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }
}
