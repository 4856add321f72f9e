package dev.wharf.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Users and tokens for the GitLab dialect's tests. */
final class GitlabFixtures {
    static final String PASSWORD = "correct-horse-battery";
    static final String TOKENS = "/api/v4/personal_access_tokens";
    static final String CREATE = "/api/v4/user/personal_access_tokens";

    private GitlabFixtures() {
    }

    /** A user with a password session, and the account id GitLab shows as {@code user_id}. */
    record User(String name, long id, Http session) {
    }

    static User newUser(TestServer server, String name) {
        String jwt = Sessions.newUser(server, name, PASSWORD);
        long id = server.wharf().accounts().find(name).orElseThrow().id();
        return new User(name, id, server.http().bearer(jwt).header("User-Agent", "gitlab-test/1.0"));
    }

    /** Creates a token through {@code POST /user/personal_access_tokens}; returns the 201 entity with its token. */
    static JsonNode createToken(Http as, String name, String... scopes) {
        return createToken(as, Map.of("name", name, "scopes", List.of(scopes)));
    }

    static JsonNode createToken(Http as, Map<String, Object> body) {
        Http.Response r = as.post(CREATE, new LinkedHashMap<>(body));
        return GitlabShape.one(r, 201, true);
    }

    /** A client that authenticates with {@code PRIVATE-TOKEN}. */
    static Http pat(TestServer server, JsonNode created) {
        return pat(server, created.get("token").asText());
    }

    static Http pat(TestServer server, String secret) {
        return server.http().header("PRIVATE-TOKEN", secret);
    }

    /** The ids in a listing, in its order. */
    static List<Long> ids(JsonNode list) {
        List<Long> out = new java.util.ArrayList<>();
        list.forEach(t -> out.add(t.get("id").asLong()));
        return out;
    }

    /** The token with this id in a listing. */
    static JsonNode byId(JsonNode list, long id) {
        for (JsonNode t : list) {
            if (t.get("id").asLong() == id) {
                return t;
            }
        }
        throw new AssertionError("no token " + id + " in " + list);
    }

    static void assertWorks(Http client) {
        assertThat(client.get(TOKENS + "/self").status()).isEqualTo(200);
    }
}
