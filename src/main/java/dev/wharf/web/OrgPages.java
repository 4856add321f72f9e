package dev.wharf.web;

import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Members;
import dev.wharf.accounts.NamespaceSettings.RestrictedImages;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.accounts.Page;
import dev.wharf.accounts.Role;
import dev.wharf.accounts.Teams;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.CredentialQuery;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Resource;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Action;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Organizations: the person's organizations and creating one; an organization's members with their roles and teams
 * (owners add, change and remove them), its robots, the organization access tokens, with the secret shown once, and
 * its settings (restricted images). Members see the member list; only owners change anything or see the robots and
 * settings, as on the APIs. Teams have pages of their own ({@link TeamPages}).
 */
public final class OrgPages {
    static final int PAGE_SIZE = 25;
    static final int MAX_ORGS_LISTED = 100;

    private final Accounts accounts;
    private final Members members;
    private final Teams teams;
    private final Credentials credentials;
    private final NamespaceSettingsStore settings;
    private final OrgAccess orgs;
    private final Pages pages;
    private final Requests requests;
    private final Clock clock;

    OrgPages(Accounts accounts, Members members, Teams teams, Credentials credentials,
             NamespaceSettingsStore settings, OrgAccess orgs, Pages pages, Requests requests, Clock clock) {
        this.accounts = accounts;
        this.members = members;
        this.teams = teams;
        this.credentials = credentials;
        this.settings = settings;
        this.orgs = orgs;
        this.pages = pages;
        this.requests = requests;
        this.clock = clock;
    }

    /** The person's organizations. */
    public record OrgsPage(Chrome chrome, List<String> orgs, String error) {
    }

    /** A member, in words. */
    public record MemberRow(String name, String role, String teams, String joined) {
    }

    /** A robot, in words. */
    public record RobotRow(String uuid, String label, String resources, String state, String created,
                           String lastUsed, String expires) {
    }

    /**
     * An organization's page: a page of members, how many teams it has, and for owners its robots, a robot secret
     * just made and its restricted-images setting.
     */
    public record OrgPage(Chrome chrome, String org, boolean owner, List<MemberRow> members, long memberTotal,
                          int page, int pages, List<String> roles, long teamTotal, List<RobotRow> robots,
                          long robotTotal, int robotsPage, int robotPages, List<Integer> lifetimes,
                          TokenPages.NewSecret created,
                          RestrictedImages restricted, String error) {
    }

    void list(Context ctx) {
        showOrgs(ctx, null);
    }

    void create(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        String name = ctx.formParam("name");
        try {
            accounts.createOrg(name, p.account(), p.actor());
        } catch (DomainException.Invalid | DomainException.Conflict e) {
            ctx.status(FailureStatus.of(e));
            showOrgs(ctx, WebErrors.describe(e));
            return;
        }
        ctx.redirect("/orgs/" + name, HttpStatus.SEE_OTHER);
    }

    void show(Context ctx) {
        Account org = orgs.memberOrg(ctx);
        render(ctx, org, null, null);
    }

    void addMember(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        try {
            accounts.setMember(org, ctx.formParam("username"), role(ctx.formParam("role")), p.actor());
        } catch (DomainException.Invalid | DomainException.NotFound | DomainException.Conflict e) {
            ctx.status(e instanceof DomainException.NotFound ? 404 : 400);
            render(ctx, org, null, WebErrors.describe(e));
            return;
        }
        backToOrg(ctx, org);
    }

    void changeRole(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        Account user = orgs.member(org, Routed.parameter(ctx, "username"));
        accounts.setMember(org, user.name(), role(ctx.formParam("role")), p.actor());
        backToOrg(ctx, org);
    }

    void removeMember(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        accounts.removeMember(org, orgs.member(org, Routed.parameter(ctx, "username")).name(), p.actor());
        backToOrg(ctx, org);
    }

    /** Saves the restricted-images setting, as Docker Hub's org settings do. */
    void saveSettings(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        settings.saveRestrictedImages(org, new RestrictedImages(checked(ctx, "enabled"),
                checked(ctx, "allow_official_images"), checked(ctx, "allow_verified_publishers")), p.actor());
        backToOrg(ctx, org);
    }

    private static boolean checked(Context ctx, String field) {
        return "on".equals(ctx.formParam(field));
    }

    void createRobot(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        Credentials.Created created;
        try {
            created = credentials.create(org, Credentials.Draft.robot(ctx.formParam("label"), null,
                            List.of(resource(org, ctx)), Forms.expiry(ctx.formParam("lifetime"), clock)),
                    new Credentials.Origin(requests.clientIp(ctx), ctx.userAgent(), "WEB"), p.actor(), false);
        } catch (DomainException.Invalid | DomainException.Conflict e) {
            ctx.status(FailureStatus.of(e));
            render(ctx, org, null, WebErrors.describe(e));
            return;
        }
        render(ctx, org, new TokenPages.NewSecret(created.credential().name(), created.secret(),
                org.name() + "+" + created.credential().name(), requests.authority(ctx)), null);
    }

    void deleteRobot(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        Credential robot = credentials.find(Forms.uuid(ctx, "There is no such robot."))
                .filter(c -> c.ownerId() == org.id() && c.isRobot() && !c.deleted())
                .orElseThrow(() -> new DomainException.NotFound("There is no such robot."));
        credentials.revoke(robot, true, p.actor(), null);
        backToOrg(ctx, org);
    }

    private void showOrgs(Context ctx, String error) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        List<String> names = new ArrayList<>();
        for (Long id : accounts.orgIdsOf(s.principal().account().id())) {
            if (names.size() >= MAX_ORGS_LISTED) {
                break;
            }
            accounts.findById(id).ifPresent(a -> names.add(a.name()));
        }
        names.sort(null);
        pages.render(ctx, "orgs.jte", new OrgsPage(Chrome.of("Organizations", s), names, error));
    }

    private void render(Context ctx, Account org, TokenPages.NewSecret created, String error) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        boolean owner = orgs.owns(ctx, org);
        int page = Paging.page(ctx);
        Page<Members.Member> found = members.list(org, Members.Filter.ALL, Paging.offset(page, PAGE_SIZE), PAGE_SIZE);
        List<MemberRow> rows = found.items().stream().map(m -> new MemberRow(m.user().name(), m.role().wireName(),
                String.join(", ", m.teams()), Sizes.when(m.joinedAt()))).toList();
        int robotsPage = Paging.page(ctx, "robots_page");
        List<RobotRow> robots = List.of();
        long robotTotal = 0;
        RestrictedImages restricted = null;
        if (owner) {
            restricted = settings.get(org.id()).restrictedImages();
            Credentials.Page robotPage = credentials.list(CredentialQuery.of(Credential.Kind.ROBOT)
                    .owner(org.id()).sort(CredentialQuery.Sort.NEWEST).page(Paging.offset(robotsPage, PAGE_SIZE),
                            PAGE_SIZE));
            OffsetDateTime now = Timestamps.now(clock);
            robots = robotPage.items().stream().map(c -> robotRow(c, now)).toList();
            robotTotal = robotPage.total();
        }
        pages.render(ctx, "org.jte", new OrgPage(Chrome.of(org.name(), s), org.name(), owner, rows, found.total(),
                page, Paging.pages(found.total(), PAGE_SIZE),
                List.of(Role.MEMBER.wireName(), Role.EDITOR.wireName(), Role.OWNER.wireName()),
                teams.list(org, null, null, 0, 1).total(), robots, robotTotal, robotsPage,
                Paging.pages(robotTotal, PAGE_SIZE), Forms.LIFETIMES, created, restricted, error));
    }

    private static RobotRow robotRow(Credential c, OffsetDateTime now) {
        String resources = c.resources().stream().map(r -> (r.kind() == Resource.Kind.NAMESPACE ? "all of "
                : "") + r.path() + " (" + String.join(", ", r.actions().stream().map(Action::wireName).sorted()
                .toList()) + ")").reduce((a, b) -> a + "; " + b).orElse("");
        String state = c.isRevoked(now) ? "revoked" : c.isExpired(now) ? "expired" : c.active() ? "active"
                : "inactive";
        return new RobotRow(c.uuid().toString(), c.name(), resources, state, Sizes.when(c.createdAt()),
                Sizes.whenOrNever(c.lastUsedAt()),
                Sizes.whenOrNever(c.expiresAt()));
    }

    /** The one resource the form describes: the whole organization, or repositories matching a pattern. */
    private static Resource resource(Account org, Context ctx) {
        Set<Action> actions = EnumSet.of(Action.PULL);
        if ("push".equals(ctx.formParam("access"))) {
            actions.add(Action.PUSH);
        } else if (!"pull".equals(ctx.formParam("access"))) {
            throw new DomainException.Invalid("access", "Choose pull or push.");
        }
        String pattern = ctx.formParam("repositories");
        if (pattern == null || pattern.isBlank()) {
            return new Resource(Resource.Kind.NAMESPACE, org.name(), actions);
        }
        String path = org.name() + "/" + pattern.trim();
        String problem = Resource.problem(Resource.Kind.REPOSITORY, path, org.name());
        if (problem != null) {
            throw new DomainException.Invalid("repositories", problem);
        }
        return new Resource(Resource.Kind.REPOSITORY, path, actions);
    }

    private static Role role(String value) {
        Role role = value == null ? null : Role.parse(value);
        if (role == null) {
            throw new DomainException.Invalid("role", "Choose member, editor or owner.");
        }
        return role;
    }

    private void backToOrg(Context ctx, Account org) {
        ctx.redirect("/orgs/" + org.name(), HttpStatus.SEE_OTHER);
    }
}
