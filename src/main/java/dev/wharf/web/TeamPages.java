package dev.wharf.web;

import dev.wharf.accounts.Account;
import dev.wharf.accounts.Page;
import dev.wharf.accounts.Team;
import dev.wharf.accounts.TeamPermission;
import dev.wharf.accounts.Teams;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Arrays;
import java.util.List;

/**
 * An organization's teams (Docker Hub's groups): the list, and a team's page with its members and its permissions
 * on the organization's repositories. Members read them; owners create and delete teams, change their members and
 * grant permissions, through the same domain calls as the Hub API's groups.
 */
public final class TeamPages {
    static final int PAGE_SIZE = 25;
    private static final List<String> PERMISSIONS = Arrays.stream(TeamPermission.values())
            .map(TeamPermission::wireName).toList();

    private final Teams teams;
    private final Repositories repositories;
    private final OrgAccess orgs;
    private final Pages pages;

    TeamPages(Teams teams, Repositories repositories, OrgAccess orgs, Pages pages) {
        this.teams = teams;
        this.repositories = repositories;
        this.orgs = orgs;
        this.pages = pages;
    }

    /** A team in the list. */
    public record TeamRow(String name, String description, long members) {
    }

    public record TeamsPage(Chrome chrome, String org, boolean owner, List<TeamRow> teams, long total, int page,
                            int pages, String error) {
    }

    /** A permission a team holds, in words. */
    public record PermissionRow(String repository, String permission, String granted) {
    }

    public record TeamPage(Chrome chrome, String org, String team, String description, boolean owner,
                           List<String> members, long memberTotal, int memberPage, int memberPages,
                           List<PermissionRow> permissions, long permissionTotal, int permissionPage,
                           int permissionPages, List<String> choices, String error) {
    }

    void list(Context ctx) {
        showList(ctx, orgs.memberOrg(ctx), null);
    }

    void create(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        Team team;
        try {
            team = teams.create(org, ctx.formParam("name"), ctx.formParam("description"), p.actor());
        } catch (DomainException.Invalid | DomainException.Conflict e) {
            ctx.status(FailureStatus.of(e));
            showList(ctx, org, WebErrors.describe(e));
            return;
        }
        toTeam(ctx, org, team);
    }

    void show(Context ctx) {
        Account org = orgs.memberOrg(ctx);
        showTeam(ctx, org, team(ctx, org), null);
    }

    void addMember(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        Team team = team(ctx, org);
        String username = ctx.formParam("username");
        try {
            teams.addMember(org, team, orgs.member(org, username).name(), p.actor());
        } catch (DomainException.NotFound e) {
            ctx.status(404);
            showTeam(ctx, org, team, username == null || username.isEmpty() ? "Name a member of " + org.name() + "."
                    : username + " is not a member of " + org.name() + ": add them to the organization first.");
            return;
        }
        toTeam(ctx, org, team);
    }

    void removeMember(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        Team team = team(ctx, org);
        teams.removeMember(org, team, orgs.member(org, Routed.parameter(ctx, "username")).name(), p.actor());
        toTeam(ctx, org, team);
    }

    /** Gives the team a permission on one of the organization's repositories, replacing the one it had there. */
    void grant(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        Team team = team(ctx, org);
        TeamPermission permission = TeamPermission.parse(ctx.formParam("permission"));
        try {
            if (permission == null) {
                throw new DomainException.Invalid("permission", "Choose read, write or admin.");
            }
            teams.grant(org, team, repository(org, ctx.formParam("repository")), permission, p.actor());
        } catch (DomainException.Invalid | DomainException.NotFound e) {
            ctx.status(FailureStatus.of(e));
            showTeam(ctx, org, team, WebErrors.describe(e));
            return;
        }
        toTeam(ctx, org, team);
    }

    void delete(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Account org = orgs.ownedOrg(ctx);
        teams.delete(org, team(ctx, org), p.actor());
        ctx.redirect("/orgs/" + org.name() + "/teams", HttpStatus.SEE_OTHER);
    }

    private void showList(Context ctx, Account org, String error) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        int page = Paging.page(ctx);
        Page<Team> found = teams.list(org, null, null, Paging.offset(page, PAGE_SIZE), PAGE_SIZE);
        List<TeamRow> rows = found.items().stream()
                .map(t -> new TeamRow(t.name(), t.description(), t.memberCount())).toList();
        pages.render(ctx, "teams.jte", new TeamsPage(Chrome.of("Teams of " + org.name(), s), org.name(),
                orgs.owns(ctx, org), rows, found.total(), page, Paging.pages(found.total(), PAGE_SIZE), error));
    }

    private void showTeam(Context ctx, Account org, Team team, String error) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        int memberPage = Paging.page(ctx, "members_page");
        int permissionPage = Paging.page(ctx, "permissions_page");
        Page<Account> found = teams.members(team, null, Paging.offset(memberPage, PAGE_SIZE), PAGE_SIZE);
        Page<Teams.RepositoryPermission> granted = teams.permissions(team,
                Paging.offset(permissionPage, PAGE_SIZE), PAGE_SIZE);
        List<PermissionRow> permissions = granted.items().stream().map(g -> new PermissionRow(g.repository(),
                g.permission().wireName(), Sizes.when(g.grantedAt()))).toList();
        pages.render(ctx, "team.jte", new TeamPage(Chrome.of(team.name() + " in " + org.name(), s), org.name(),
                team.name(), team.description(), orgs.owns(ctx, org),
                found.items().stream().map(Account::name).toList(), found.total(), memberPage,
                Paging.pages(found.total(), PAGE_SIZE), permissions, granted.total(), permissionPage,
                Paging.pages(granted.total(), PAGE_SIZE), PERMISSIONS, error));
    }

    private Team team(Context ctx, Account org) {
        try {
            return teams.find(org, Routed.parameter(ctx, "team"));
        } catch (DomainException.NotFound e) {
            throw new DomainException.NotFound("There is no such team.");
        }
    }

    /** The organization's repository of this name, given without or with the organization's name in front. */
    private Repository repository(Account org, String value) {
        String given = value == null ? "" : value.trim();
        String name = given.startsWith(org.name() + "/") ? given.substring(org.name().length() + 1) : given;
        String full = org.name() + "/" + name;
        if (name.isEmpty() || RepositoryName.problem(full) != null) {
            throw new DomainException.Invalid("repository", "Name one of " + org.name() + "'s repositories.");
        }
        return repositories.find(new RepositoryName(full))
                .orElseThrow(() -> new DomainException.NotFound(org.name() + " has no repository " + name + "."));
    }

    private static void toTeam(Context ctx, Account org, Team team) {
        ctx.redirect("/orgs/" + org.name() + "/teams/" + team.name(), HttpStatus.SEE_OTHER);
    }
}
