package dev.wharf.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wharf's admin API: users, organizations, members, name rules, and the error shape {message, errinfo, fields}. */
abstract class AdminApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    private Http admin() {
        return server.http().bearer(Sessions.adminSession(server));
    }

    @Test
    void siteAdminsCreateListAndDeleteUsersWithoutEverReturningPasswords() {
        String name = uniqueName("new");
        Http.Response created = admin().post("/api/v1/users",
                Map.of("username", name, "password", PASSWORD, "email", name + "@example.com"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("username").asText()).isEqualTo(name);
        assertThat(created.json().get("email").asText()).isEqualTo(name + "@example.com");
        assertThat(created.body()).doesNotContain(PASSWORD).doesNotContain("argon2");

        Http.Response list = admin().get("/api/v1/users");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains(name).doesNotContain(PASSWORD).doesNotContain("argon2");

        assertThat(admin().post("/api/v1/users", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(409);
        assertThat(admin().delete("/api/v1/users/" + name).status()).isEqualTo(204);
        assertThat(admin().delete("/api/v1/users/" + name).status()).isEqualTo(404);
        assertThat(server.http().post("/v2/users/login", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(401);
    }

    @Test
    void deletingAUserRevokesTheirSessionsAndTokens() {
        String name = uniqueName("gone");
        String session = Sessions.newUser(server, name, PASSWORD);
        String secret = Sessions.newToken(server, session, "t", "repo:read");
        assertThat(server.http().bearer(session).get("/v2/auditlogs/" + name).status()).isEqualTo(200);
        assertThat(admin().delete("/api/v1/users/" + name).status()).isEqualTo(204);
        // This node forgets the account at once; other nodes within the one-second cache.
        assertThat(server.http().bearer(session).get("/v2/auditlogs/" + name).status()).isEqualTo(401);
        assertThat(server.http().post("/v2/users/login", Map.of("username", name, "password", secret)).status())
                .isEqualTo(401);
    }

    @Test
    void aSessionOfADeletedAccountNeverWorksForANewAccountOfTheSameName() {
        String name = uniqueName("again");
        String oldSession = Sessions.newUser(server, name, PASSWORD);
        assertThat(admin().delete("/api/v1/users/" + name).status()).isEqualTo(204);
        String newSession = Sessions.newUser(server, name, PASSWORD);
        assertThat(server.http().bearer(newSession).get("/v2/access-tokens").status()).isEqualTo(200);
        assertThat(server.http().bearer(oldSession).get("/v2/access-tokens").status()).isEqualTo(401);
        assertThat(server.http().bearer(oldSession).get("/v2/auditlogs/" + name).status()).isEqualTo(401);
    }

    @Test
    void onlySiteAdminsManageUsers() {
        String name = uniqueName("plain");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        Http.Response r = user.post("/api/v1/users", Map.of("username", uniqueName("x"), "password", PASSWORD));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("message").asText()).isNotBlank();
        assertThat(r.json().has("errinfo")).isTrue();
        assertThat(r.json().get("errinfo").isNull()).isTrue();
        assertThat(user.get("/api/v1/users").status()).isEqualTo(403);
        assertThat(user.delete("/api/v1/users/admin").status()).isEqualTo(403);
        assertThat(server.http().get("/api/v1/users").status()).isEqualTo(401);

        String adminPat = Sessions.newToken(server, Sessions.adminSession(server), "admin-pat", "repo:admin");
        Http patSession = server.http().bearer(Sessions.login(server.http(), "admin", adminPat));
        assertThat(patSession.get("/api/v1/users").status()).isEqualTo(403);
    }

    @Test
    void namesFollowDockerIdRulesAndReservedHubPathsAreRefused() {
        for (String bad : List.of("abc", "a".repeat(31), "Upper1", "with-dash", "with_underscore", "emoji😀x", "",
                "users", "auth", "orgs", "namespaces", "repositories", "auditlogs", "invites", "scim")) {
            Http.Response r = admin().post("/api/v1/users", Map.of("username", bad, "password", PASSWORD));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("fields").has("username")).as(bad).isTrue();
            assertThat(r.json().get("errinfo").isNull()).isTrue();
        }
        Http.Response shortPassword = admin().post("/api/v1/users",
                Map.of("username", uniqueName("pw"), "password", "short"));
        assertThat(shortPassword.status()).isEqualTo(400);
        assertThat(shortPassword.json().get("fields").has("password")).isTrue();
        assertThat(admin().post("/api/v1/users", "{nope").status()).isEqualTo(400);
        assertThat(admin().post("/api/v1/users", Map.of("username", uniqueName("ok"), "password", PASSWORD,
                "email", "not-an-email")).status()).isEqualTo(400);
    }

    @Test
    void usersAndOrgsShareOneNamespace() {
        String name = uniqueName("shared");
        Http owner = server.http().bearer(Sessions.newUser(server, uniqueName("owner"), PASSWORD));
        assertThat(owner.post("/api/v1/orgs", Map.of("name", name)).status()).isEqualTo(201);
        assertThat(admin().post("/api/v1/users", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(409);
        assertThat(owner.post("/api/v1/orgs", Map.of("name", "admin")).status()).isEqualTo(409);
        assertThat(owner.post("/api/v1/orgs", Map.of("name", "orgs")).status()).isEqualTo(400);
    }

    @Test
    void ownersManageMembersAndAnOrgNeverLosesItsLastOwner() {
        String ownerName = uniqueName("boss");
        String otherName = uniqueName("peer");
        String org = uniqueName("team");
        Http owner = server.http().bearer(Sessions.newUser(server, ownerName, PASSWORD));
        Http other = server.http().bearer(Sessions.newUser(server, otherName, PASSWORD));
        Http.Response created = owner.post("/api/v1/orgs", Map.of("name", org));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("name").asText()).isEqualTo(org);

        String members = "/api/v1/orgs/" + org + "/members/";
        assertThat(other.put(members + otherName, Map.of("role", "owner")).status()).isEqualTo(403);
        Http.Response added = owner.put(members + otherName, Map.of("role", "member"));
        assertThat(added.status()).isEqualTo(200);
        assertThat(added.json().get("role").asText()).isEqualTo("member");
        assertThat(other.put(members + otherName, Map.of("role", "owner")).status()).isEqualTo(403);
        assertThat(owner.put(members + otherName, Map.of("role", "king")).status()).isEqualTo(400);
        assertThat(owner.put(members + "nosuchuser", Map.of("role", "member")).status()).isEqualTo(404);
        assertThat(owner.put("/api/v1/orgs/nosuchorg/members/" + otherName, Map.of("role", "member")).status())
                .isEqualTo(404);

        Http.Response demoteLast = owner.put(members + ownerName, Map.of("role", "editor"));
        assertThat(demoteLast.status()).isEqualTo(409);
        assertThat(owner.delete(members + ownerName).status()).isEqualTo(409);
        assertThat(admin().delete("/api/v1/users/" + ownerName).status()).isEqualTo(409);

        assertThat(owner.put(members + otherName, Map.of("role", "owner")).status()).isEqualTo(200);
        assertThat(other.delete(members + ownerName).status()).isEqualTo(204);
        assertThat(owner.put(members + ownerName, Map.of("role", "member")).status()).isEqualTo(403);
        assertThat(other.delete(members + ownerName).status()).isEqualTo(404);

        JsonNode logs = other.get("/v2/auditlogs/" + org + "?page_size=100").json().get("logs");
        assertThat(logs.get(0).get("action").asText()).isEqualTo("org.member.remove");
        assertThat(logs.get(1).get("action").asText()).isEqualTo("org.member.role.change");
        assertThat(logs.get(1).get("data").get("role").asText()).isEqualTo("owner");
    }
}
