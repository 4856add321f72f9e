package dev.wharf.dockerhub;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Page;
import dev.wharf.accounts.Team;
import dev.wharf.accounts.TeamPermission;
import dev.wharf.accounts.Teams;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Validation;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Docker Hub's groups, {@code /v2/orgs/{org_name}/groups}: an organization's teams, which its members may see and
 * its owners manage, and {@code POST /v2/repositories/{namespace}/{repository}/groups}, a team's permission on a
 * repository (which the registry enforces through {@link AccessPolicy}). A team's members must be members of the organization
 * already, as on Hub, where people join an organization by invitation and its teams from among its members.
 */
final class TeamsApi {
    private static final String PERMISSIONS = "Must be one of: read, write, admin.";

    private final Teams teams;
    private final Repositories repositories;
    private final OrgsApi orgs;
    private final AccessPolicy policy;
    private final Requests requests;

    TeamsApi(Teams teams, Repositories repositories, OrgsApi orgs, AccessPolicy policy, Requests requests) {
        this.teams = teams;
        this.repositories = repositories;
        this.orgs = orgs;
        this.policy = policy;
        this.requests = requests;
    }

    private record TeamBody(String name, String description) {
    }

    private record NewMember(String member) {
    }

    private record RepositoryGrant(@JsonProperty("group_id") Long groupId, String permission) {
    }

    /** {@code GET}: by name; {@code search} matches part of it, {@code username} keeps that member's teams. */
    void list(Context ctx) {
        Account org = orgs.memberOrg(ctx);
        Validation v = new Validation();
        String search = OrgsApi.search(ctx, v);
        Paging paging = Paging.from(ctx, 10, 100);
        v.throwIfInvalid();
        String username = ctx.queryParam("username");
        Page<Team> page;
        if (username == null || username.isEmpty()) {
            page = teams.list(org, search, null, paging.offset(), paging.pageSize());
        } else {
            // An unknown user is in no team.
            page = policy.namespace(username).filter(a -> !a.isOrg())
                    .map(user -> teams.list(org, search, user, paging.offset(), paging.pageSize()))
                    .orElseGet(() -> new Page<>(0, List.of()));
        }
        ctx.json(orgs.paged(ctx, paging, page, TeamsApi::teamJson));
    }

    /** {@code POST} {@code {name, description}}: 201 with the group; 409 when the org has one of that name. */
    void create(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = orgs.ownedOrg(ctx);
        TeamBody body = requests.body(ctx, TeamBody.class);
        ctx.status(201).json(teamJson(teams.create(org, body.name(), body.description(), p.actor())));
    }

    void get(Context ctx) {
        Account org = orgs.memberOrg(ctx);
        ctx.json(teamJson(teams.find(org, Routed.parameter(ctx, "group"))));
    }

    /** {@code PUT}: the name is required, and a description left out is cleared. */
    void replace(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = orgs.ownedOrg(ctx);
        Team team = teams.find(org, Routed.parameter(ctx, "group"));
        TeamBody body = requests.body(ctx, TeamBody.class);
        if (body.name() == null) {
            throw new DomainException.Invalid("name", "This field is required.");
        }
        String description = body.description() == null ? "" : body.description();
        ctx.json(teamJson(teams.update(org, team, body.name(), description, p.actor())));
    }

    /** {@code PATCH}: what the body leaves out stays as it is. */
    void patch(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = orgs.ownedOrg(ctx);
        Team team = teams.find(org, Routed.parameter(ctx, "group"));
        TeamBody body = requests.body(ctx, TeamBody.class);
        ctx.json(teamJson(teams.update(org, team, body.name(), body.description(), p.actor())));
    }

    /** {@code DELETE}: the team, its memberships and its repository permissions; 204. */
    void delete(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = orgs.ownedOrg(ctx);
        teams.delete(org, teams.find(org, Routed.parameter(ctx, "group")), p.actor());
        ctx.status(204);
    }

    /** {@code GET …/members}: by username; {@code search} matches part of it; emails for the org's owners only. */
    void members(Context ctx) {
        Account org = orgs.memberOrg(ctx);
        boolean owner = policy.administers(HubAuth.principal(ctx), org);
        Team team = teams.find(org, Routed.parameter(ctx, "group"));
        Validation v = new Validation();
        String search = OrgsApi.search(ctx, v);
        Paging paging = Paging.from(ctx, 10, 100);
        v.throwIfInvalid();
        Page<Account> page = teams.members(team, search, paging.offset(), paging.pageSize());
        ctx.json(orgs.paged(ctx, paging, page, user -> OrgsApi.userJson(user, owner)));
    }

    /** {@code POST …/members} {@code {member}}: adds a member of the org to the team; 200. */
    void addMember(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = orgs.ownedOrg(ctx);
        Team team = teams.find(org, Routed.parameter(ctx, "group"));
        NewMember body = requests.body(ctx, NewMember.class);
        if (body.member() == null || body.member().isEmpty()) {
            throw new DomainException.Invalid("member", "This field is required.");
        }
        teams.addMember(org, team, orgs.member(org, body.member()).name(), p.actor());
        ctx.status(200);
    }

    /** {@code DELETE …/members/{username}}: 204; the user stays a member of the org. */
    void removeMember(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = orgs.ownedOrg(ctx);
        Team team = teams.find(org, Routed.parameter(ctx, "group"));
        teams.removeMember(org, team, Routed.parameter(ctx, "username"), p.actor());
        ctx.status(204);
    }

    /**
     * {@code POST /v2/repositories/{namespace}/{repository}/groups} {@code {group_id, permission}}: gives one of the
     * org's teams read, write or admin on one of its repositories, replacing what it had there; 200, as on Hub.
     */
    void grantRepository(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        String namespace = Routed.parameter(ctx, "namespace");
        Account org = policy.namespace(namespace).filter(Account::isOrg)
                .orElseThrow(() -> new DomainException.NotFound("organization not found"));
        if (!policy.administers(p, org)) {
            throw new DomainException.Forbidden("Only owners of the organization may do this.");
        }
        String name = namespace + "/" + Routed.parameter(ctx, "repository");
        Optional<Repository> found = RepositoryName.problem(name) == null
                ? repositories.find(new RepositoryName(name)) : Optional.empty();
        Repository repository = found.orElseThrow(() -> new DomainException.NotFound("repository not found"));
        RepositoryGrant body = requests.body(ctx, RepositoryGrant.class);
        TeamPermission permission = TeamPermission.parse(body.permission());
        new Validation()
                .check(body.groupId() != null, "group_id", "This field is required.")
                .check(permission != null, "permission", body.permission() == null ? "This field is required."
                        : PERMISSIONS)
                .throwIfInvalid();
        Team team = teams.findById(body.groupId()).filter(t -> t.orgId() == org.id())
                .orElseThrow(() -> new DomainException.NotFound("group not found"));
        Teams.Grant grant = teams.grant(org, team, repository, permission, p.actor());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("group_name", grant.team().name());
        out.put("permission", grant.permission().wireName());
        out.put("group_id", grant.team().id());
        ctx.json(out);
    }

    /** Hub's {@code org_group}. */
    private static Map<String, Object> teamJson(Team team) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", team.id());
        out.put("uuid", team.uuid().toString());
        out.put("name", team.name());
        out.put("description", team.description());
        out.put("member_count", team.memberCount());
        return out;
    }
}
