package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.Account;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /v2/orgs/{org}/members} and {@code /v2/orgs/{org}/groups}, and a group's permission on a repository: shapes
 * validated against Docker's spec, members reading and owners changing, the last owner kept, every change audited.
 */
abstract class OrgsApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    /** Never advanced: the one-second caches keep what they hold, so only invalidation can make a change seen. */
    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    /** An org with its owner, an editor, a member (sessions and names) and an outsider. */
    private record Org(String name, String ownerName, Http owner, String editorName, Http editor,
                       String memberName, Http member, String outsiderName, Http outsider) {
        String path(String rest) {
            return "/v2/orgs/" + name + rest;
        }
    }

    private Org newOrg() {
        String ownerName = uniqueName("own");
        Http owner = server.http().bearer(newUser(ownerName, ownerName + "@example.com"));
        String org = uniqueName("org");
        assertThat(owner.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        List<String> names = new ArrayList<>();
        List<Http> sessions = new ArrayList<>();
        for (String role : List.of("editor", "member", "none")) {
            String name = uniqueName("usr");
            names.add(name);
            sessions.add(server.http().bearer(newUser(name, null)));
            if (!role.equals("none")) {
                assertThat(owner.put("/api/v1/orgs/" + org + "/members/" + name, Map.of("role", role)).status())
                        .isEqualTo(200);
            }
        }
        return new Org(org, ownerName, owner, names.get(0), sessions.get(0), names.get(1), sessions.get(1),
                names.get(2), sessions.get(2));
    }

    private String newUser(String name, String email) {
        Http admin = server.http().bearer(Sessions.adminSession(server));
        Map<String, Object> body = email == null ? Map.of("username", name, "password", PASSWORD)
                : Map.of("username", name, "password", PASSWORD, "email", email);
        assertThat(admin.post("/api/v1/users", body).status()).isEqualTo(201);
        return Sessions.login(server.http(), name, PASSWORD);
    }

    private JsonNode createGroup(Org org, String name, String description) {
        Http.Response r = assertValid(org.owner().post(org.path("/groups"),
                Map.of("name", name, "description", description)));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.json();
    }

    private void addToGroup(Org org, String group, String username) {
        Http.Response r = assertValid(org.owner().post(org.path("/groups/" + group + "/members"),
                Map.of("member", username)));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    private List<String> auditActions(Org org) {
        return auditActions(org.owner(), org.name());
    }

    private static List<String> auditActions(Http reader, String org) {
        Http.Response r = reader.get("/v2/auditlogs/" + org + "?page_size=100");
        assertThat(r.status()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        r.json().get("logs").forEach(l -> actions.add(l.get("action").asText() + " " + l.get("name").asText()));
        return actions;
    }

    private static List<String> usernames(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("results").forEach(m -> out.add(m.get("username").asText()));
        return out;
    }

    @Test
    void membersSeeTheMemberListWithTeamsAndOnlyOwnersSeeEmails() {
        Org org = newOrg();
        createGroup(org, "builders", "push the images");
        addToGroup(org, "builders", org.memberName());
        Http.Response r = assertValid(org.owner().get(org.path("/members")));
        assertThat(r.status()).isEqualTo(200);
        JsonNode page = r.json();
        assertThat(page.get("count").asInt()).isEqualTo(3);
        assertThat(page.get("next").isNull()).isTrue();
        assertThat(page.get("previous").isNull()).isTrue();
        assertThat(usernames(page)).containsExactly(org.ownerName(), org.editorName(), org.memberName());
        JsonNode owner = page.get("results").get(0);
        Account stored = server.wharf().accounts().user(org.ownerName());
        assertThat(owner.get("id").asText()).isEqualTo(stored.uuid().toString().replace("-", ""));
        assertThat(owner.get("role").asText()).isEqualTo("Owner");
        assertThat(owner.get("email").asText()).isEqualTo(org.ownerName() + "@example.com");
        assertThat(owner.get("type").asText()).isEqualTo("User");
        assertThat(owner.get("date_joined").asText()).isEqualTo(dev.wharf.http.Json.time(stored.createdAt()));
        assertThat(owner.get("full_name").asText()).isEmpty();
        assertThat(owner.get("groups")).isEmpty();
        assertThat(page.get("results").get(1).get("role").asText()).isEqualTo("Editor");
        JsonNode member = page.get("results").get(2);
        assertThat(member.get("role").asText()).isEqualTo("Member");
        assertThat(member.get("groups").toString()).isEqualTo("[\"builders\"]");

        Http.Response asMember = assertValid(org.member().get(org.path("/members")));
        assertThat(asMember.status()).isEqualTo(200);
        assertThat(asMember.json().get("count").asInt()).isEqualTo(3);
        assertThat(asMember.json().get("results").get(0).has("email")).isFalse();

        Http.Response outsider = assertValid(org.outsider().get(org.path("/members")));
        assertThat(outsider.status()).isEqualTo(403);
        Http.Response unknown = assertValid(org.owner().get("/v2/orgs/" + uniqueName("nope") + "/members"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(assertValid(server.http().get(org.path("/members"))).status()).isEqualTo(401);
    }

    @Test
    void memberListSearchesFiltersAndPagesWithAbsoluteLinks() {
        Org org = newOrg();
        JsonNode editors = assertValid(org.owner().get(org.path("/members?role=editor"))).json();
        assertThat(usernames(editors)).containsExactly(org.editorName());
        String fragment = org.memberName().substring(2, 7).toUpperCase(java.util.Locale.ROOT);
        JsonNode found = assertValid(org.owner().get(org.path("/members?search=" + fragment))).json();
        assertThat(usernames(found)).containsExactly(org.memberName());
        JsonNode none = assertValid(org.owner().get(org.path("/members?search=%25_%25"))).json();
        assertThat(none.get("count").asInt()).isZero();
        JsonNode invitees = assertValid(org.owner().get(org.path("/members?type=invitee"))).json();
        assertThat(invitees.get("count").asInt()).isZero();

        Http.Response first = assertValid(org.owner().get(org.path("/members?page_size=2&role=")));
        assertThat(usernames(first.json())).containsExactly(org.ownerName(), org.editorName());
        assertThat(first.json().get("count").asInt()).isEqualTo(3);
        String next = first.json().get("next").asText();
        assertThat(next).startsWith(server.url() + org.path("/members?")).contains("page=2").contains("page_size=2");
        Http.Response second = assertValid(org.owner().get(next.substring(server.url().length())));
        assertThat(usernames(second.json())).containsExactly(org.memberName());
        assertThat(second.json().get("next").isNull()).isTrue();
        assertThat(second.json().get("previous").asText()).contains("page=1");

        Http.Response badRole = assertValid(org.owner().get(org.path("/members?role=admin")));
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.json().get("fields").get("role").get(0).asText())
                .isEqualTo("Must be one of: owner, editor, member.");
        assertThat(assertValid(org.owner().get(org.path("/members?type=robots"))).status()).isEqualTo(400);
        assertThat(assertValid(org.owner().get(org.path("/members?page_size=101"))).status()).isEqualTo(400);
        assertThat(assertValid(org.owner().get(org.path("/members?page=0"))).status()).isEqualTo(400);
        assertThat(assertValid(org.owner().get(org.path("/members?search=" + "a".repeat(101)))).status())
                .isEqualTo(400);
    }

    @Test
    void ownersExportTheMembersAsQuotedCsv() {
        Org org = newOrg();
        String quoted = uniqueName("csv");
        newUser(quoted, "o'brien,\"x\"@example.com");
        assertThat(org.owner().put("/api/v1/orgs/" + org.name() + "/members/" + quoted, Map.of("role", "member"))
                .status()).isEqualTo(200);
        createGroup(org, "team-a", "");
        createGroup(org, "team-b", "");
        addToGroup(org, "team-a", quoted);
        addToGroup(org, "team-b", quoted);

        Http.Response r = org.owner().get(org.path("/members/export"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/csv");
        assertThat(r.header("Content-Disposition")).matches("attachment;filename=\"" + org.name()
                + "-members-\\d{8}T\\d{6}Z\\.csv\"");
        List<String> lines = List.of(r.body().split("\r\n"));
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("Name,Username,Email,Type,Role,Teams,Date Joined");
        String joined = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\+0000 UTC";
        assertThat(lines.get(1)).matches(",\\Q" + quoted + ",\"o'brien,\"\"x\"\"@example.com\",User,Member,"
                + "\"team-a, team-b\",\\E" + joined);
        assertThat(lines.get(2)).matches(",\\Q" + org.ownerName() + "," + org.ownerName()
                + "@example.com,User,Owner,,\\E" + joined);

        assertThat(assertValid(org.member().get(org.path("/members/export"))).status()).isEqualTo(403);
        assertThat(assertValid(org.outsider().get(org.path("/members/export"))).status()).isEqualTo(403);
    }

    @Test
    void ownersChangeRolesAndTheLastOwnerStays() {
        Org org = newOrg();
        Http.Response promoted = assertValid(org.owner().put(org.path("/members/" + org.memberName()),
                Map.of("role", "editor")));
        assertThat(promoted.status()).as("%s", promoted).isEqualTo(200);
        assertThat(promoted.json().get("username").asText()).isEqualTo(org.memberName());
        assertThat(promoted.json().get("role").asText()).isEqualTo("Editor");

        Http.Response bad = assertValid(org.owner().put(org.path("/members/" + org.memberName()),
                Map.of("role", "admin")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("fields").has("role")).isTrue();
        assertThat(assertValid(org.owner().put(org.path("/members/" + org.memberName()), Map.of())).status())
                .isEqualTo(400);
        // A stranger is not made a member by a role change: Hub adds people by invitation.
        assertThat(assertValid(org.owner().put(org.path("/members/" + org.outsiderName()),
                Map.of("role", "member"))).status()).isEqualTo(404);
        assertThat(assertValid(org.owner().put(org.path("/members/" + uniqueName("ghost")),
                Map.of("role", "member"))).status()).isEqualTo(404);
        assertThat(assertValid(org.editor().put(org.path("/members/" + org.memberName()),
                Map.of("role", "owner"))).status()).isEqualTo(403);
        assertThat(assertValid(org.member().delete(org.path("/members/" + org.editorName()))).status())
                .isEqualTo(403);

        Http.Response demoteLast = assertValid(org.owner().put(org.path("/members/" + org.ownerName()),
                Map.of("role", "member")));
        assertThat(demoteLast.status()).isEqualTo(409);
        assertThat(demoteLast.json().get("detail").asText()).contains("at least one owner");
        assertThat(assertValid(org.owner().delete(org.path("/members/" + org.ownerName()))).status())
                .isEqualTo(409);
        assertThat(assertValid(org.owner().put(org.path("/members/" + org.editorName()),
                Map.of("role", "owner"))).status()).isEqualTo(200);
        assertThat(assertValid(org.owner().put(org.path("/members/" + org.ownerName()),
                Map.of("role", "member"))).status()).isEqualTo(200);

        // The first owner is a member now; the editor is the owner who reads the log.
        assertThat(auditActions(org.editor(), org.name())).contains("org.member.role.change " + org.memberName(),
                "org.member.role.change " + org.editorName(), "org.member.role.change " + org.ownerName());
    }

    @Test
    void removingAMemberRemovesThemFromTheOrgsTeams() {
        Org org = newOrg();
        createGroup(org, "leavers", "");
        addToGroup(org, "leavers", org.memberName());
        assertThat(org.owner().get(org.path("/groups/leavers")).json().get("member_count").asInt()).isEqualTo(1);
        Http.Response removed = assertValid(org.owner().delete(org.path("/members/" + org.memberName() + "/")));
        assertThat(removed.status()).isEqualTo(204);
        assertThat(removed.body()).isEmpty();
        assertThat(org.owner().get(org.path("/groups/leavers")).json().get("member_count").asInt()).isZero();
        assertThat(assertValid(org.owner().delete(org.path("/members/" + org.memberName()))).status())
                .isEqualTo(404);
        assertThat(assertValid(org.member().get(org.path("/members"))).status()).isEqualTo(403);
        assertThat(auditActions(org)).contains("org.member.remove " + org.memberName());
    }

    @Test
    void ownersManageGroupsAndMembersReadThem() {
        Org org = newOrg();
        JsonNode created = createGroup(org, "developers", "the developers");
        assertThat(created.get("id").isIntegralNumber()).isTrue();
        assertThat(created.get("uuid").asText()).matches("[0-9a-f-]{36}");
        assertThat(created.get("name").asText()).isEqualTo("developers");
        assertThat(created.get("description").asText()).isEqualTo("the developers");
        assertThat(created.get("member_count").asInt()).isZero();
        createGroup(org, "Ops.team_1", "");

        Http.Response duplicate = assertValid(org.owner().post(org.path("/groups"), Map.of("name", "developers")));
        assertThat(duplicate.status()).isEqualTo(409);
        Http.Response badName = assertValid(org.owner().post(org.path("/groups"), Map.of("name", "-x y")));
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("fields").has("name")).isTrue();
        assertThat(badName.json().get("text").asText()).startsWith("name: ");
        Http.Response longText = assertValid(org.owner().post(org.path("/groups"),
                Map.of("name", "writers", "description", "d".repeat(256))));
        assertThat(longText.status()).isEqualTo(400);
        assertThat(longText.json().get("fields").has("description")).isTrue();
        assertThat(assertValid(org.owner().post(org.path("/groups"), Map.of("description", "x"))).status())
                .isEqualTo(400);
        assertThat(assertValid(org.owner().post(org.path("/groups"), Map.of("name", List.of("a")))).status())
                .isEqualTo(400);
        assertThat(assertValid(org.editor().post(org.path("/groups"), Map.of("name", "editors"))).status())
                .isEqualTo(403);

        Http.Response list = assertValid(org.member().get(org.path("/groups")));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("count").asInt()).isEqualTo(2);
        assertThat(list.json().get("results").get(0).get("name").asText()).isEqualTo("Ops.team_1");
        JsonNode searched = assertValid(org.member().get(org.path("/groups?search=VELOP"))).json();
        assertThat(searched.get("count").asInt()).isEqualTo(1);
        assertThat(searched.get("results").get(0).get("name").asText()).isEqualTo("developers");
        assertThat(assertValid(org.outsider().get(org.path("/groups"))).status()).isEqualTo(403);
        assertThat(assertValid(org.member().get(org.path("/groups/developers"))).json().get("id"))
                .isEqualTo(created.get("id"));
        assertThat(assertValid(org.member().get(org.path("/groups/nothere"))).status()).isEqualTo(404);

        Http.Response renamed = assertValid(org.owner().put(org.path("/groups/developers"),
                Map.of("name", "engineers")));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().get("name").asText()).isEqualTo("engineers");
        assertThat(renamed.json().get("description").asText()).isEmpty();
        assertThat(renamed.json().get("id")).isEqualTo(created.get("id"));
        assertThat(assertValid(org.owner().put(org.path("/groups/engineers"), Map.of("description", "x")))
                .status()).isEqualTo(400);
        assertThat(assertValid(org.owner().put(org.path("/groups/engineers"), Map.of("name", "Ops.team_1")))
                .status()).isEqualTo(409);
        Http.Response patched = assertValid(org.owner().patch(org.path("/groups/engineers"),
                Map.of("description", "builds things")));
        assertThat(patched.json().get("name").asText()).isEqualTo("engineers");
        assertThat(patched.json().get("description").asText()).isEqualTo("builds things");
        assertThat(assertValid(org.member().patch(org.path("/groups/engineers"), Map.of("description", "x")))
                .status()).isEqualTo(403);

        assertThat(assertValid(org.owner().delete(org.path("/groups/engineers"))).status()).isEqualTo(204);
        assertThat(assertValid(org.owner().get(org.path("/groups/engineers"))).status()).isEqualTo(404);
        assertThat(assertValid(org.owner().delete(org.path("/groups/engineers"))).status()).isEqualTo(404);
        assertThat(auditActions(org)).contains("org.team.create developers", "org.team.update engineers",
                "org.team.delete engineers");
    }

    @Test
    void groupMembersAreMembersOfTheOrg() {
        Org org = newOrg();
        createGroup(org, "reviewers", "");
        addToGroup(org, "reviewers", org.memberName());
        addToGroup(org, "reviewers", org.memberName());
        addToGroup(org, "reviewers", org.editorName());
        Http.Response list = assertValid(org.member().get(org.path("/groups/reviewers/members")));
        assertThat(list.status()).isEqualTo(200);
        assertThat(usernames(list.json())).containsExactly(org.editorName(), org.memberName());
        assertThat(list.json().get("results").get(0).has("email")).isFalse();
        JsonNode paged = assertValid(org.owner().get(org.path("/groups/reviewers/members?page_size=1&search="
                + org.memberName()))).json();
        assertThat(paged.get("count").asInt()).isEqualTo(1);
        assertThat(usernames(paged)).containsExactly(org.memberName());
        assertThat(paged.get("results").get(0).has("email")).isTrue();
        JsonNode mine = assertValid(org.member().get(org.path("/groups?username=" + org.memberName()))).json();
        assertThat(mine.get("count").asInt()).isEqualTo(1);
        assertThat(assertValid(org.member().get(org.path("/groups?username=" + uniqueName("ghost")))).json()
                .get("count").asInt()).isZero();

        Http.Response stranger = assertValid(org.owner().post(org.path("/groups/reviewers/members"),
                Map.of("member", org.outsiderName())));
        assertThat(stranger.status()).isEqualTo(404);
        assertThat(assertValid(org.owner().post(org.path("/groups/reviewers/members"),
                Map.of("member", uniqueName("ghost")))).status()).isEqualTo(404);
        assertThat(assertValid(org.owner().post(org.path("/groups/reviewers/members"), Map.of())).status())
                .isEqualTo(400);
        assertThat(assertValid(org.owner().post(org.path("/groups/nothere/members"),
                Map.of("member", org.memberName()))).status()).isEqualTo(404);
        assertThat(assertValid(org.editor().post(org.path("/groups/reviewers/members"),
                Map.of("member", org.editorName()))).status()).isEqualTo(403);

        assertThat(assertValid(org.owner().delete(org.path("/groups/reviewers/members/" + org.memberName())))
                .status()).isEqualTo(204);
        assertThat(assertValid(org.owner().delete(org.path("/groups/reviewers/members/" + org.memberName())))
                .status()).isEqualTo(404);
        assertThat(org.owner().get(org.path("/groups/reviewers")).json().get("member_count").asInt()).isEqualTo(1);
        // Leaving a team is not leaving the org.
        assertThat(usernames(org.owner().get(org.path("/members")).json())).contains(org.memberName());
        assertThat(auditActions(org)).contains("org.team.member.add " + org.memberName(),
                "org.team.member.add " + org.editorName(), "org.team.member.remove " + org.memberName())
                .filteredOn(a -> a.equals("org.team.member.add " + org.memberName())).hasSize(1);
    }

    @Test
    void ownersGiveAGroupAPermissionOnARepositoryOfTheOrg() {
        Org org = newOrg();
        Org other = newOrg();
        Account orgAccount = server.wharf().accounts().org(org.name());
        server.wharf().repositories().findOrCreate(new RepositoryName(org.name() + "/app"), orgAccount.logOwner(),
                orgAccount.asActor());
        long id = createGroup(org, "deployers", "").get("id").asLong();
        long foreign = createGroup(other, "deployers", "").get("id").asLong();
        String path = "/v2/repositories/" + org.name() + "/app/groups";

        Http.Response granted = assertValid(org.owner().post(path, Map.of("group_id", id, "permission", "write")));
        assertThat(granted.status()).as("%s", granted).isEqualTo(200);
        assertThat(granted.json().toString()).isEqualTo("{\"group_name\":\"deployers\",\"permission\":\"write\","
                + "\"group_id\":" + id + "}");
        Http.Response changed = assertValid(org.owner().post(path + "/", Map.of("group_id", id,
                "permission", "admin")));
        assertThat(changed.json().get("permission").asText()).isEqualTo("admin");
        assertThat(auditActions(org)).contains("org.team.permission.update " + org.name() + "/app");

        Http.Response badPermission = assertValid(org.owner().post(path, Map.of("group_id", id,
                "permission", "owner")));
        assertThat(badPermission.status()).isEqualTo(400);
        assertThat(badPermission.json().get("fields").has("permission")).isTrue();
        assertThat(assertValid(org.owner().post(path, Map.of("group_id", "seven", "permission", "read")))
                .status()).isEqualTo(400);
        assertThat(assertValid(org.owner().post(path, Map.of("permission", "read"))).status()).isEqualTo(400);
        assertThat(assertValid(org.owner().post(path, Map.of("group_id", foreign, "permission", "read")))
                .status()).isEqualTo(404);
        assertThat(assertValid(org.owner().post(path, Map.of("group_id", Long.MAX_VALUE, "permission", "read")))
                .status()).isEqualTo(404);
        assertThat(assertValid(org.owner().post("/v2/repositories/" + org.name() + "/nothing/groups",
                Map.of("group_id", id, "permission", "read"))).status()).isEqualTo(404);
        assertThat(assertValid(org.owner().post("/v2/repositories/" + org.name() + "/No..Name/groups",
                Map.of("group_id", id, "permission", "read"))).status()).isEqualTo(404);
        assertThat(assertValid(org.editor().post(path, Map.of("group_id", id, "permission", "read"))).status())
                .isEqualTo(403);
        assertThat(assertValid(other.owner().post(path, Map.of("group_id", foreign, "permission", "read")))
                .status()).isEqualTo(403);
    }

    @Test
    void deletingAUserOrTheOrgTakesTheirTeamsAndPermissionsAlong() {
        Org org = newOrg();
        Account orgAccount = server.wharf().accounts().org(org.name());
        server.wharf().repositories().findOrCreate(new RepositoryName(org.name() + "/site"), orgAccount.logOwner(),
                orgAccount.asActor());
        long id = createGroup(org, "crew", "").get("id").asLong();
        addToGroup(org, "crew", org.memberName());
        addToGroup(org, "crew", org.editorName());
        assertThat(org.owner().post("/v2/repositories/" + org.name() + "/site/groups",
                Map.of("group_id", id, "permission", "write")).status()).isEqualTo(200);
        Http admin = server.http().bearer(Sessions.adminSession(server));
        assertThat(admin.delete("/api/v1/users/" + org.memberName()).status()).isEqualTo(204);
        assertThat(org.owner().get(org.path("/groups/crew")).json().get("member_count").asInt()).isEqualTo(1);

        server.wharf().accounts().deleteOrg(orgAccount, server.wharf().accounts().user(org.ownerName()).asActor());
        long left = server.wharf().database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT (SELECT COUNT(*) FROM teams WHERE id = :t) + (SELECT COUNT(*) FROM team_members"
                                + " WHERE team_id = :t) + (SELECT COUNT(*) FROM team_permissions WHERE team_id = :t)")
                .bind("t", id).mapTo(Long.class).one());
        assertThat(left).isZero();
    }

    /** What the registry's token endpoint grants {@code username} on {@code repository}, of pull, push, delete. */
    private List<String> registryActions(String username, String repository) {
        String basic = Base64.getEncoder().encodeToString((username + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        Http.Response r = server.http().header("Authorization", "Basic " + basic)
                .get("/token?service=wharf&scope=repository:" + repository + ":pull,push,delete");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        String jwt = r.json().get("token").asText();
        String payload = jwt.substring(jwt.indexOf('.') + 1, jwt.lastIndexOf('.'));
        JsonNode claims;
        try {
            claims = dev.wharf.http.Json.MAPPER.readTree(Base64.getUrlDecoder().decode(payload));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> actions = new ArrayList<>();
        claims.path("access").forEach(a -> a.path("actions").forEach(x -> actions.add(x.asText())));
        return actions;
    }

    @Test
    void theRegistrysGrantsFollowTeamChangesAtOnce() {
        Org org = newOrg();
        Account orgAccount = server.wharf().accounts().org(org.name());
        String repository = org.name() + "/svc";
        server.wharf().repositories().findOrCreate(new RepositoryName(repository), orgAccount.logOwner(),
                orgAccount.asActor());
        long id = createGroup(org, "ops", "").get("id").asLong();
        addToGroup(org, "ops", org.memberName());
        assertThat(registryActions(org.memberName(), repository)).containsExactly("pull");
        String grants = "/v2/repositories/" + repository + "/groups";
        assertThat(org.owner().post(grants, Map.of("group_id", id, "permission", "write")).status()).isEqualTo(200);
        assertThat(registryActions(org.memberName(), repository)).containsExactlyInAnyOrder("pull", "push");
        assertThat(org.owner().post(grants, Map.of("group_id", id, "permission", "admin")).status()).isEqualTo(200);
        assertThat(registryActions(org.memberName(), repository)).containsExactlyInAnyOrder("pull", "push", "delete");
        // An editor's own role already pushes; the team adds delete.
        addToGroup(org, "ops", org.editorName());
        assertThat(registryActions(org.editorName(), repository)).containsExactlyInAnyOrder("pull", "push", "delete");

        assertThat(org.owner().delete(org.path("/groups/ops/members/" + org.memberName())).status()).isEqualTo(204);
        assertThat(registryActions(org.memberName(), repository)).containsExactly("pull");
        addToGroup(org, "ops", org.memberName());
        assertThat(registryActions(org.memberName(), repository)).containsExactlyInAnyOrder("pull", "push", "delete");
        assertThat(org.owner().delete(org.path("/members/" + org.memberName())).status()).isEqualTo(204);
        assertThat(org.owner().put("/api/v1/orgs/" + org.name() + "/members/" + org.memberName(),
                Map.of("role", "member")).status()).isEqualTo(200);
        assertThat(registryActions(org.memberName(), repository)).containsExactly("pull");

        assertThat(org.owner().delete(org.path("/groups/ops")).status()).isEqualTo(204);
        assertThat(registryActions(org.editorName(), repository)).containsExactlyInAnyOrder("pull", "push");
        assertThat(registryActions(org.outsiderName(), repository)).isEmpty();
    }

    @Test
    void theAuditCatalogueNamesTheTeamActions() {
        Org org = newOrg();
        Http.Response r = org.owner().get("/v2/auditlogs/" + org.name() + "/actions");
        List<String> names = new ArrayList<>();
        r.json().get("actions").get("org").get("actions").forEach(a -> names.add(a.get("name").asText()));
        assertThat(names).contains("member.add", "member.remove", "member.role.change", "team.create",
                "team.update", "team.delete", "team.member.add", "team.member.remove", "team.permission.update");
    }

    @Test
    void malformedInputIsAClientError() {
        Org org = newOrg();
        createGroup(org, "sturdy", "");
        for (Http.Response r : List.of(
                org.owner().send("POST", org.path("/groups"), "{not json"),
                org.owner().send("PUT", org.path("/members/" + org.memberName()), "[1,2]"),
                org.owner().send("PATCH", org.path("/groups/sturdy"), "{\"name\": 5}"),
                org.owner().send("POST", org.path("/groups/sturdy/members"), "{\"member\": {}}"),
                org.owner().get(org.path("/members?page=99999999999999")),
                org.owner().get(org.path("/groups?page_size=-1")),
                org.owner().delete(org.path("/groups/sturdy/members/" + "x".repeat(300))),
                org.owner().get(org.path("/groups/" + "g".repeat(300))),
                org.owner().get("/v2/orgs/x%20y/members"))) {
            assertThat(r.status()).as("%s", r).isBetween(400, 499);
        }
    }
}
