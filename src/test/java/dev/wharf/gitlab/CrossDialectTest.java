package dev.wharf.gitlab;

import static dev.wharf.gitlab.GitlabFixtures.TOKENS;
import static dev.wharf.gitlab.GitlabFixtures.byId;
import static dev.wharf.gitlab.GitlabFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.gitlab.GitlabFixtures.User;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One credential, two views: what the Hub does to a token, GitLab shows, and the other way round. */
abstract class CrossDialectTest extends ServerTest {

    /** Creates a token through {@code POST /v2/access-tokens}; returns its GitLab id and its Hub uuid. */
    private record HubToken(long id, String uuid, String secret) {
    }

    private HubToken hubToken(User u, String label) {
        Http.Response r = u.session().post("/v2/access-tokens", Map.of("token_label", label,
                "scopes", List.of("repo:write")));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        String uuid = r.json().get("uuid").asText();
        long id = server.wharf().credentials().find(java.util.UUID.fromString(uuid)).orElseThrow().id();
        return new HubToken(id, uuid, r.json().get("token").asText());
    }

    private JsonNode gitlabView(User u, long id) {
        return byId(GitlabShape.list(u.session().get(TOKENS)), id);
    }

    @Test
    void aHubTokenIsListedByGitlabAndItsHubDeletionShowsAsRevoked() {
        User u = newUser(server, uniqueName("xd"));
        HubToken t = hubToken(u, "from the hub");
        JsonNode listed = gitlabView(u, t.id());
        assertThat(listed.get("name").asText()).isEqualTo("from the hub");
        assertThat(listed.get("scopes")).extracting(JsonNode::asText)
                .containsExactly("read_registry", "write_registry");
        assertThat(listed.get("active").asBoolean()).isTrue();
        assertThat(listed.get("revoked").asBoolean()).isFalse();

        assertThat(u.session().delete("/v2/access-tokens/" + t.uuid()).status()).isEqualTo(204);
        JsonNode deleted = gitlabView(u, t.id());
        assertThat(deleted.get("revoked").asBoolean()).isTrue();
        assertThat(deleted.get("active").asBoolean()).isFalse();
        assertThat(GitlabFixtures.ids(GitlabShape.list(u.session().get(TOKENS + "?revoked=true"))))
                .containsExactly(t.id());
        assertThat(u.session().get("/v2/access-tokens/" + t.uuid()).status()).isEqualTo(404);
    }

    @Test
    void deactivatingThroughTheHubShowsInactiveInGitlab() {
        User u = newUser(server, uniqueName("xd"));
        HubToken t = hubToken(u, "switched off");
        Http.Response off = u.session().patch("/v2/access-tokens/" + t.uuid(), Map.of("is_active", false));
        assertThat(off.status()).as("%s", off).isEqualTo(200);
        JsonNode listed = gitlabView(u, t.id());
        assertThat(listed.get("active").asBoolean()).isFalse();
        assertThat(listed.get("revoked").asBoolean()).isFalse();
        assertThat(GitlabFixtures.ids(GitlabShape.list(u.session().get(TOKENS + "?state=inactive"))))
                .containsExactly(t.id());
        GitlabShape.error(GitlabFixtures.pat(server, t.secret()).get(TOKENS + "/self"), 401,
                "{\"message\":\"401 Unauthorized\"}");

        assertThat(u.session().patch("/v2/access-tokens/" + t.uuid(), Map.of("is_active", true)).status())
                .isEqualTo(200);
        assertThat(gitlabView(u, t.id()).get("active").asBoolean()).isTrue();
    }

    @Test
    void revokingThroughGitlabKeepsItInTheHubListInactiveForGood() {
        User u = newUser(server, uniqueName("xd"));
        HubToken t = hubToken(u, "revoked by gitlab");
        assertThat(u.session().delete(TOKENS + "/" + t.id()).status()).isEqualTo(204);

        JsonNode hubList = u.session().get("/v2/access-tokens").json().get("results");
        JsonNode inHub = null;
        for (JsonNode item : hubList) {
            if (item.get("uuid").asText().equals(t.uuid())) {
                inHub = item;
            }
        }
        assertThat(inHub).as("%s", hubList).isNotNull();
        assertThat(inHub.get("is_active").asBoolean()).isFalse();

        Http.Response reactivate = u.session().patch("/v2/access-tokens/" + t.uuid(), Map.of("is_active", true));
        assertThat(reactivate.status()).as("%s", reactivate).isEqualTo(400);
        assertThat(u.session().get("/v2/access-tokens/" + t.uuid()).json().get("is_active").asBoolean()).isFalse();
        assertThat(gitlabView(u, t.id()).get("revoked").asBoolean()).isTrue();
    }

    @Test
    void aHubTokenRotatedThroughGitlabHandsOverToTheNewSecret() {
        User u = newUser(server, uniqueName("xd"));
        HubToken t = hubToken(u, "rotated by gitlab");
        JsonNode fresh = GitlabShape.one(u.session().post(TOKENS + "/" + t.id() + "/rotate", null), 200, true);
        assertThat(u.session().get("/v2/access-tokens/" + t.uuid()).json().get("is_active").asBoolean()).isFalse();
        String newUuid = server.wharf().credentials().findById(fresh.get("id").asLong()).orElseThrow().uuid()
                .toString();
        JsonNode inHub = u.session().get("/v2/access-tokens/" + newUuid).json();
        assertThat(inHub.get("token_label").asText()).isEqualTo("rotated by gitlab");
        assertThat(inHub.get("scopes")).extracting(JsonNode::asText).containsExactly("repo:write");
        assertThat(server.http().post("/v2/users/login", Map.of("username", u.name(), "password",
                fresh.get("token").asText())).status()).isEqualTo(200);
        assertThat(server.http().post("/v2/users/login", Map.of("username", u.name(), "password",
                t.secret())).status()).isEqualTo(401);
    }
}
