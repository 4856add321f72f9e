package dev.wharf.web;

import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.CredentialQuery;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Scope;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.Requests;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Personal access tokens: the list (a page at a time), create with the secret shown once, switch on and off, rotate
 * with a grace window, delete. Everything goes through {@link Credentials}, as the APIs do.
 */
public final class TokenPages {
    static final int PAGE_SIZE = 20;
    /** The grace windows offered when rotating, in hours; at most the credential rules' day. */
    static final List<Integer> GRACE_HOURS = List.of(0, 1, 24);

    private final Credentials credentials;
    private final Pages pages;
    private final Requests requests;
    private final Clock clock;

    TokenPages(Credentials credentials, Pages pages, Requests requests, Clock clock) {
        this.credentials = credentials;
        this.pages = pages;
        this.requests = requests;
        this.clock = clock;
    }

    /** One row of the list, in words. */
    public record Row(String uuid, String label, String scope, boolean active, String state, String created,
                      String lastUsed, String lastUsedFrom, String expires, boolean rotatable) {
    }

    /** A secret to show once, in the dialog, with what it is for. */
    public record NewSecret(String label, String secret, String username, String host) {
    }

    /** The tokens page: one page of rows, the paging, a secret just made (or null) and a failure (or null). */
    public record TokensPage(Chrome chrome, List<Row> rows, long total, int page, int pages,
                             List<String> scopes, List<Integer> lifetimes,
                             NewSecret created, String error) {
    }

    /** The rotate form of one token, a page of its own so that the list stays light. */
    public record RotatePage(Chrome chrome, String uuid, String label, List<Integer> graceHours,
                             List<Integer> lifetimes) {
    }

    void rotateForm(Context ctx) {
        Credential token = own(ctx);
        if (token.isRetired()) {
            throw new DomainException.Invalid("token", "This token was already rotated or revoked.");
        }
        pages.render(ctx, "rotate-token.jte", new RotatePage(Chrome.of("Rotate a token", WebAuth.signedIn(ctx)),
                token.uuid().toString(), token.name(), GRACE_HOURS, Forms.LIFETIMES));
    }

    void list(Context ctx) {
        show(ctx, null, null);
    }

    void create(Context ctx) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        Principal p = s.principal();
        Scope scope = scope(ctx.formParam("scope"));
        OffsetDateTime expires = Forms.expiry(ctx.formParam("lifetime"), clock);
        Credentials.Created created;
        try {
            created = credentials.create(p.account(),
                    Credentials.Draft.personal(ctx.formParam("label"), null, List.of(scope), expires),
                    origin(ctx), p.actor(), false);
        } catch (DomainException.Invalid | DomainException.Conflict e) {
            ctx.status(FailureStatus.of(e));
            show(ctx, null, WebErrors.describe(e));
            return;
        }
        show(ctx, new NewSecret(created.credential().name(), created.secret(), p.username(),
                requests.authority(ctx)), null);
    }

    void activate(Context ctx) {
        setActive(ctx, true);
    }

    void deactivate(Context ctx) {
        setActive(ctx, false);
    }

    private void setActive(Context ctx, boolean active) {
        Principal p = WebAuth.signedIn(ctx).principal();
        credentials.update(own(ctx), Credentials.Change.none().active(active), p.actor());
        backToList(ctx);
    }

    void rotate(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Credential token = own(ctx);
        Duration grace = Duration.ofHours(Forms.choice(ctx.formParam("grace"), GRACE_HOURS, "grace"));
        Credentials.Created created;
        try {
            created = credentials.rotate(token, Forms.expiry(ctx.formParam("lifetime"), clock), grace, origin(ctx), p.actor());
        } catch (DomainException.Invalid e) {
            ctx.status(400);
            show(ctx, null, WebErrors.describe(e));
            return;
        }
        show(ctx, new NewSecret(created.credential().name(), created.secret(), p.username(),
                requests.authority(ctx)), null);
    }

    void delete(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        credentials.revoke(own(ctx), true, p.actor(), null);
        backToList(ctx);
    }

    private void show(Context ctx, NewSecret created, String error) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        int page = Paging.page(ctx);
        Credentials.Page found = credentials.list(CredentialQuery.of(Credential.Kind.PERSONAL)
                .owner(s.principal().account().id()).sort(CredentialQuery.Sort.NEWEST)
                .page(Paging.offset(page, PAGE_SIZE), PAGE_SIZE));
        OffsetDateTime now = Timestamps.now(clock);
        List<Row> rows = found.items().stream().map(c -> row(c, now)).toList();
        pages.render(ctx, "tokens.jte", new TokensPage(Chrome.of("Access tokens", s), rows, found.total(), page,
                Paging.pages(found.total(), PAGE_SIZE), Scope.REPOSITORY.stream().map(Scope::wireName).toList(),
                Forms.LIFETIMES, created, error));
    }

    private static Row row(Credential c, OffsetDateTime now) {
        String state = c.isRevoked(now) ? "revoked" : c.isExpired(now) ? "expired"
                : c.revokedAt() != null ? "rotated, works until " + Sizes.when(c.revokedAt())
                : c.active() ? "active" : "inactive";
        Scope scope = c.repositoryScope();
        return new Row(c.uuid().toString(), c.name(), scope == null ? "" : scope.wireName(), c.active(), state,
                Sizes.when(c.createdAt()), Sizes.whenOrNever(c.lastUsedAt()),
                String.join(", ", c.lastUsedIps()), Sizes.whenOrNever(c.expiresAt()),
                !c.isRetired());
    }

    /** The caller's own personal token named in the path; any other is not found. */
    private Credential own(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        return credentials.find(Forms.uuid(ctx, "There is no such token."))
                .filter(t -> t.ownerId() == p.account().id() && !t.isRobot() && !t.deleted())
                .orElseThrow(() -> new DomainException.NotFound("There is no such token."));
    }

    private void backToList(Context ctx) {
        ctx.redirect("/tokens", HttpStatus.SEE_OTHER);
    }

    private Credentials.Origin origin(Context ctx) {
        return new Credentials.Origin(requests.clientIp(ctx), ctx.userAgent(), "WEB");
    }

    private static Scope scope(String value) {
        Scope scope = value == null ? null : Scope.parse(value);
        if (scope == null || !scope.isRepository()) {
            throw new DomainException.Invalid("scope", "Choose what the token may do.");
        }
        return scope;
    }
}
