package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.audit.AuditAction;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /v2/auditlogs/{account}} and its actions catalogue. */
abstract class AuditLogApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    @Test
    void tokenLifecycleIsLoggedNewestFirstWithoutSecrets() {
        String name = uniqueName("aud");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        JsonNode t = user.post("/v2/access-tokens", Map.of("token_label", "deploy", "scopes", List.of("repo:write")))
                .json();
        String uuid = t.get("uuid").asText();
        user.patch("/v2/access-tokens/" + uuid, Map.of("token_label", "deploy2", "is_active", false));
        user.delete("/v2/access-tokens/" + uuid);

        Http.Response r = assertValid(user.get("/v2/auditlogs/" + name));
        assertThat(r.status()).isEqualTo(200);
        JsonNode logs = r.json().get("logs");
        List<String> actions = new ArrayList<>();
        logs.forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).containsExactly("user.access_token.delete", "user.access_token.update",
                "user.access_token.create", "user.create");
        JsonNode create = logs.get(2);
        assertThat(create.get("account").asText()).isEqualTo(name);
        assertThat(create.get("actor").asText()).isEqualTo(name);
        assertThat(create.get("name").asText()).isEqualTo("deploy");
        assertThat(create.get("data").get("uuid").asText()).isEqualTo(uuid);
        assertThat(create.get("data").get("scopes").asText()).isEqualTo("repo:write");
        assertThat(create.get("action_description").asText()).contains("deploy");
        assertThat(create.get("timestamp").asText()).endsWith("Z");
        assertThat(r.body()).doesNotContain(t.get("token").asText()).doesNotContain("wharf_pat_");
        assertThat(logs.get(3).get("actor").asText()).isEqualTo("admin");
        r.json().fieldNames().forEachRemaining(f -> assertThat(f).isEqualTo("logs"));
    }

    @Test
    void anAccountThatTakesADeletedAccountsNameReadsNoneOfItsHistory() {
        String name = uniqueName("reuse");
        Http admin = server.http().bearer(Sessions.adminSession(server));
        String oldSession = Sessions.newUser(server, name, PASSWORD);
        Http old = server.http().bearer(oldSession);
        old.post("/v2/access-tokens", Map.of("token_label", "old-secret-project", "scopes", List.of("repo:read")));
        server.http().header("X-Forwarded-For", "203.0.113.77")
                .post("/v2/users/login", Map.of("username", name, "password", "wrong-password"));
        assertThat(admin.delete("/api/v1/users/" + name).status()).isEqualTo(204);

        Http fresh = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        assertThat(old.get("/v2/auditlogs/" + name).status()).as("the old session").isEqualTo(401);
        Http.Response r = assertValid(fresh.get("/v2/auditlogs/" + name));
        assertThat(r.status()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        r.json().get("logs").forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).containsExactly("user.create");
        assertThat(r.body()).doesNotContain("old-secret-project").doesNotContain("203.0.113.77");
    }

    @Test
    void timeFiltersTakeEveryFormClientsSend() {
        String name = uniqueName("times");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        String base = "/v2/auditlogs/" + name;
        for (String from : new String[] {"2020-12-01T18:38:03.880941+0000", "2020-12-01T18:38:03Z",
                "2020-12-01T18:38:03.880941%2B00:00", "2020-12-01"}) {
            Http.Response r = user.get(base + "?from=" + from + "&to=2099-01-01T00:00:00.000000%2B0000");
            assertThat(r.status()).as(from).isEqualTo(200);
            assertThat(r.json().get("logs")).as(from).hasSize(1);
        }
        assertThat(user.get(base + "?from=2099-01-01").json().get("logs")).isEmpty();
        Http.Response bad = user.get(base + "?from=yesterday");
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void filtersAndPaging() {
        String name = uniqueName("filt");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        for (int i = 0; i < 30; i++) {
            user.post("/v2/access-tokens", Map.of("token_label", "t" + i, "scopes", List.of("repo:read")));
        }
        String base = "/v2/auditlogs/" + name;
        assertThat(user.get(base).json().get("logs")).hasSize(25);
        assertThat(user.get(base + "?page=2").json().get("logs")).hasSize(6);
        assertThat(user.get(base + "?page_size=100").json().get("logs")).hasSize(31);
        assertThat(user.get(base + "?action=user.access_token.create&page_size=100").json().get("logs")).hasSize(30);
        assertThat(user.get(base + "?action=user.create").json().get("logs")).hasSize(1);
        assertThat(user.get(base + "?name=t7").json().get("logs")).hasSize(1);
        assertThat(user.get(base + "?actor=admin").json().get("logs")).hasSize(1);
        assertThat(user.get(base + "?actor=nobody").json().get("logs")).isEmpty();

        String future = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).toString();
        String past = OffsetDateTime.now(ZoneOffset.UTC).minusDays(1).toString();
        assertThat(user.get(base + "?from=" + future).json().get("logs")).isEmpty();
        assertThat(user.get(base + "?to=" + past).json().get("logs")).isEmpty();
        assertThat(user.get(base + "?from=" + past + "&to=" + future + "&page_size=100").json().get("logs"))
                .hasSize(31);

        for (String q : List.of("page=0", "page_size=101", "page_size=0", "from=yesterday", "to=2021-13-45")) {
            Http.Response r = assertValid(user.get(base + "?" + q));
            assertThat(r.status()).as(q).isEqualTo(400);
            assertThat(r.json().get("code").asInt()).isEqualTo(3);
            assertThat(r.json().get("message").asText()).isNotBlank();
        }
    }

    @Test
    void onlyTheAccountItselfOrOrgOwnersMayRead() {
        String owner = uniqueName("own");
        String member = uniqueName("mem");
        String stranger = uniqueName("str");
        String org = uniqueName("org");
        Http ownerHttp = server.http().bearer(Sessions.newUser(server, owner, PASSWORD));
        Http memberHttp = server.http().bearer(Sessions.newUser(server, member, PASSWORD));
        Http strangerHttp = server.http().bearer(Sessions.newUser(server, stranger, PASSWORD));
        assertThat(ownerHttp.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        assertThat(ownerHttp.put("/api/v1/orgs/" + org + "/members/" + member, Map.of("role", "editor")).status())
                .isEqualTo(200);

        JsonNode orgLogs = assertValid(ownerHttp.get("/v2/auditlogs/" + org)).json().get("logs");
        List<String> actions = new ArrayList<>();
        orgLogs.forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).containsExactly("org.member.add", "org.member.add", "org.create");
        assertThat(orgLogs.get(0).get("name").asText()).isEqualTo(member);
        assertThat(orgLogs.get(0).get("data").get("role").asText()).isEqualTo("editor");

        for (Http http : List.of(memberHttp, strangerHttp)) {
            Http.Response r = assertValid(http.get("/v2/auditlogs/" + org));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.json().get("code").asInt()).isEqualTo(7);
        }
        assertThat(strangerHttp.get("/v2/auditlogs/" + owner).status()).isEqualTo(403);
        assertThat(strangerHttp.get("/v2/auditlogs/" + owner + "/actions").status()).isEqualTo(403);
        assertThat(strangerHttp.get("/v2/auditlogs/nosuchaccount").status()).isEqualTo(403);
        assertThat(assertValid(server.http().get("/v2/auditlogs/" + owner)).status()).isEqualTo(401);
    }

    @Test
    void actionsCatalogueListsEveryRecordedActionGroupedAsOnHub() {
        String name = uniqueName("cat");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        Http.Response r = assertValid(user.get("/v2/auditlogs/" + name + "/actions"));
        assertThat(r.status()).isEqualTo(200);
        JsonNode groups = r.json().get("actions");
        assertThat(groups.get("repo").get("label").asText()).isEqualTo("Repository");
        assertThat(groups.get("org").get("label").asText()).isEqualTo("Organization");
        List<String> listed = new ArrayList<>();
        groups.properties().forEach(g -> g.getValue().get("actions").forEach(a -> {
            listed.add(g.getKey() + "." + a.get("name").asText());
            assertThat(a.get("label").asText()).isNotBlank();
            assertThat(a.get("description").asText()).isNotBlank();
        }));
        for (AuditAction action : AuditAction.values()) {
            assertThat(listed).contains(action.fullName());
        }
        assertThat(listed).contains("repo.tag.push", "org.member.add", "user.access_token.create");
    }
}
