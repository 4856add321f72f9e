package dev.wharf.web;

import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Page;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.CredentialRules;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.Routed;
import dev.wharf.repositories.CollectionRun;
import dev.wharf.repositories.CollectionRuns;
import dev.wharf.repositories.GarbageCollector;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The Administration area, for site admins only: users (a page at a time, create, delete), garbage collection (a dry
 * run or a run, progress and history) and the credential policy in force. Every action is the admin API's.
 */
public final class AdminPages {
    static final int PAGE_SIZE = 25;
    static final int ITEMS_PER_PAGE = 50;

    private final Accounts accounts;
    private final GarbageCollector collector;
    private final CredentialRules rules;
    private final Pages pages;
    private final Clock clock;

    AdminPages(Accounts accounts, GarbageCollector collector, CredentialRules rules, Pages pages, Clock clock) {
        this.accounts = accounts;
        this.collector = collector;
        this.rules = rules;
        this.pages = pages;
        this.clock = clock;
    }

    /** One user in the list. */
    public record UserRow(String name, String email, boolean siteAdmin, String created) {
    }

    /** One garbage collection run, in words. */
    public record RunRow(String id, String state, String kind, String trigger, String requestedBy, String started,
                         String phase, long reviewed, long manifestsDeleted, long blobsDeleted, String freed,
                         String duration, String error) {
    }

    /** The users page, with a failure to show (or null). */
    public record UsersPage(Chrome chrome, List<UserRow> users, long total, int page, int pages, String error) {
    }

    /** Garbage collection: a page of runs, newest first. */
    public record CollectionPage(Chrome chrome, List<RunRow> runs, long total, int page, int pages) {
    }

    /** One thing a run removed, in words. */
    public record ItemRow(String kind, String repository, String name, String size) {
    }

    /** One run and a page of what it removed (a dry run: what it would have removed). */
    public record RunPage(Chrome chrome, RunRow run, boolean dryRun, List<ItemRow> items, long total, int page,
                          int pages, boolean truncated) {
    }

    /** The credential policy as configured. */
    public record PolicyPage(Chrome chrome, String maxLifetime, boolean requireExpiry, String maxGrace) {
    }

    void users(Context ctx) {
        showUsers(ctx, null);
    }

    void createUser(Context ctx) {
        Principal p = admin(ctx);
        String email = ctx.formParam("email");
        try {
            accounts.createUser(ctx.formParam("username"), ctx.formParam("password"),
                    email == null || email.isBlank() ? null : email.trim(), false, p.actor());
        } catch (DomainException.Invalid | DomainException.Conflict e) {
            ctx.status(FailureStatus.of(e));
            showUsers(ctx, WebErrors.describe(e));
            return;
        }
        ctx.redirect("/admin/users", HttpStatus.SEE_OTHER);
    }

    void deleteUser(Context ctx) {
        Principal p = admin(ctx);
        String name = Routed.parameter(ctx, "username");
        if (p.username().equals(name)) {
            throw new DomainException.Invalid("username", "You cannot delete yourself here.");
        }
        accounts.deleteUser(name, p.actor());
        ctx.redirect("/admin/users", HttpStatus.SEE_OTHER);
    }

    void collection(Context ctx) {
        WebAuth.SignedIn s = signedInAdmin(ctx);
        int page = Paging.page(ctx);
        CollectionRuns.Page runs = collector.runs().page(page, PAGE_SIZE);
        OffsetDateTime now = Timestamps.now(clock);
        pages.render(ctx, "admin-gc.jte", new CollectionPage(Chrome.of("Garbage collection", s),
                runs.runs().stream().map(r -> row(r, now)).toList(), runs.total(), page,
                Paging.pages(runs.total(), PAGE_SIZE)));
    }

    void collectionRun(Context ctx) {
        WebAuth.SignedIn s = signedInAdmin(ctx);
        UUID id = Forms.uuid(ctx, "There is no such run.");
        CollectionRun run = collector.runs().get(id)
                .orElseThrow(() -> new DomainException.NotFound("There is no such run."));
        int page = Paging.page(ctx);
        CollectionRuns.ItemPage items = collector.runs().items(id, Paging.offset(page, ITEMS_PER_PAGE),
                ITEMS_PER_PAGE);
        pages.render(ctx, "admin-gc-run.jte", new RunPage(Chrome.of("Garbage collection run", s),
                row(run, Timestamps.now(clock)), run.dryRun(), items.items().stream()
                .map(i -> new ItemRow(i.kind(), i.repository() == null ? "" : i.repository(), i.name(),
                        i.size() == null ? "" : Sizes.human(i.size()))).toList(),
                items.total(), page, Paging.pages(items.total(), ITEMS_PER_PAGE),
                items.total() >= CollectionRuns.MAX_ITEMS));
    }

    void startCollection(Context ctx) {
        Principal p = admin(ctx);
        boolean dryRun = "true".equals(ctx.formParam("dry_run"));
        boolean full = "true".equals(ctx.formParam("full"));
        collector.start(new GarbageCollector.Request(CollectionRun.Trigger.API, dryRun, full,
                p.account().logOwner(), p.actor()));
        ctx.redirect("/admin/gc", HttpStatus.SEE_OTHER);
    }

    void policy(Context ctx) {
        WebAuth.SignedIn s = signedInAdmin(ctx);
        pages.render(ctx, "admin-policy.jte", new PolicyPage(Chrome.of("Credential policy", s),
                rules.maxLifetime() == null ? "none" : rules.maxLifetime().toDays() + " days",
                rules.requireExpiry(), CredentialRules.MAX_GRACE.toHours() + " hours"));
    }

    private void showUsers(Context ctx, String error) {
        WebAuth.SignedIn s = signedInAdmin(ctx);
        int page = Paging.page(ctx);
        Page<Account> found = accounts.users(Paging.offset(page, PAGE_SIZE), PAGE_SIZE);
        pages.render(ctx, "admin-users.jte", new UsersPage(Chrome.of("Users", s), found.items().stream()
                .map(a -> new UserRow(a.name(), a.email() == null ? "" : a.email(), a.siteAdmin(),
                        Sizes.when(a.createdAt()))).toList(), found.total(), page,
                Paging.pages(found.total(), PAGE_SIZE), error));
    }

    private static RunRow row(CollectionRun r, OffsetDateTime now) {
        CollectionRun.Totals t = r.totals();
        return new RunRow(r.id().toString(), r.state().name().toLowerCase(Locale.ROOT),
                (r.dryRun() ? "dry run" : "run") + (r.full() ? ", full sweep" : ""),
                r.trigger().name().toLowerCase(Locale.ROOT).replace('_', ' '), r.requestedBy(),
                r.startedAt() == null ? "queued" : Sizes.when(r.startedAt()), r.phase() == null ? "" : r.phase(),
                t.reviewed(), t.manifestsDeleted(), t.blobsDeleted(), Sizes.human(t.bytesFreed()),
                r.duration(now).toSeconds() + " s", r.error() == null ? "" : r.error());
    }

    /** The signed-in site admin; anyone else is told the area does not exist. */
    private static WebAuth.SignedIn signedInAdmin(Context ctx) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        if (!s.principal().account().siteAdmin()) {
            throw new DomainException.NotFound("There is no such page.");
        }
        return s;
    }

    private static Principal admin(Context ctx) {
        return signedInAdmin(ctx).principal();
    }
}
