package dev.wharf.gitlab;

import static dev.wharf.gitlab.GitlabFixtures.CREATE;
import static dev.wharf.gitlab.GitlabFixtures.TOKENS;
import static dev.wharf.gitlab.GitlabFixtures.assertWorks;
import static dev.wharf.gitlab.GitlabFixtures.byId;
import static dev.wharf.gitlab.GitlabFixtures.createToken;
import static dev.wharf.gitlab.GitlabFixtures.ids;
import static dev.wharf.gitlab.GitlabFixtures.newUser;
import static dev.wharf.gitlab.GitlabFixtures.pat;
import static dev.wharf.gitlab.GitlabShape.error;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Resource;
import dev.wharf.gitlab.GitlabFixtures.User;
import dev.wharf.repositories.Action;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code /api/v4/personal_access_tokens} and token creation: GitLab's fields, codes and error bodies. */
abstract class PersonalAccessTokensApiTest extends ServerTest {
    private static final String UNAUTHORIZED = "{\"message\":\"401 Unauthorized\"}";
    private static final String REVOKED = "{\"error\":\"invalid_token\",\"error_description\":"
            + "\"Token was revoked. You have to re-authorize from the user.\"}";

    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    private User user() {
        return newUser(server, uniqueName("gl"));
    }

    private Http admin() {
        return server.http().bearer(Sessions.adminSession(server));
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    // ------------------------------------------------------------------------------------------------ creating

    @Test
    void aUserCreatesATokenAndSeesItsSecretOnlyInThatResponse() {
        User u = user();
        String expires = today().plusDays(30).toString();
        JsonNode t = createToken(u.session(), Map.of("name", "ci", "description", "for CI",
                "scopes", List.of("read_registry", "write_registry", "api"), "expires_at", expires));
        assertThat(t.get("name").asText()).isEqualTo("ci");
        assertThat(t.get("description").asText()).isEqualTo("for CI");
        assertThat(t.get("revoked").asBoolean()).isFalse();
        assertThat(t.get("active").asBoolean()).isTrue();
        assertThat(t.get("user_id").asLong()).isEqualTo(u.id());
        assertThat(t.get("scopes")).extracting(JsonNode::asText)
                .containsExactly("read_registry", "write_registry", "api");
        assertThat(t.get("expires_at").asText()).isEqualTo(expires);
        assertThat(t.get("last_used_at").isNull()).isTrue();
        assertThat(t.get("last_used_ips")).isEmpty();
        String secret = t.get("token").asText();

        JsonNode got = GitlabShape.one(u.session().get(TOKENS + "/" + t.get("id").asLong()), 200, false);
        assertThat(got.get("id").asLong()).isEqualTo(t.get("id").asLong());
        Http.Response list = u.session().get(TOKENS);
        GitlabShape.list(list);
        assertThat(list.body()).doesNotContain(secret);
        // The token works in the registry's terms too: repo:write is what read+write_registry stored.
        var stored = server.wharf().credentials().findById(t.get("id").asLong()).orElseThrow();
        assertThat(stored.scopes()).extracting(s -> s.wireName()).containsExactly("repo:write", "api");
    }

    @Test
    void aSiteAdminCreatesForAnyUserAndNobodyElseDoes() {
        User u = user();
        User other = user();
        JsonNode t = GitlabShape.one(admin().post("/api/v4/users/" + u.id() + "/personal_access_tokens",
                Map.of("name", "made by admin", "scopes", List.of("read_registry"))), 201, true);
        assertThat(t.get("user_id").asLong()).isEqualTo(u.id());
        assertThat(t.get("scopes")).extracting(JsonNode::asText).containsExactly("read_registry");

        error(other.session().post("/api/v4/users/" + u.id() + "/personal_access_tokens",
                Map.of("name", "x", "scopes", List.of("api"))), 403, "{\"message\":\"403 Forbidden\"}");
        error(admin().post("/api/v4/users/999999999/personal_access_tokens",
                Map.of("name", "x", "scopes", List.of("api"))), 404, "{\"message\":\"404 User Not Found\"}");
        error(admin().post("/api/v4/users/abc/personal_access_tokens",
                Map.of("name", "x", "scopes", List.of("api"))), 400, "{\"error\":\"user_id is invalid\"}");
    }

    @Test
    void creationRefusesWhatGitlabRefusesInItsWords() {
        User u = user();
        Http s = u.session();
        error(s.post(CREATE, Map.of("scopes", List.of("api"))), 400, "{\"error\":\"name is missing\"}");
        error(s.post(CREATE, Map.of("name", " ", "scopes", List.of("api"))), 400, "{\"error\":\"name is empty\"}");
        error(s.post(CREATE, Map.of("name", "x")), 400, "{\"error\":\"scopes is missing\"}");
        error(s.post(CREATE, Map.of("name", "x", "scopes", List.of())), 400, "{\"error\":\"scopes is missing\"}");
        for (String unknown : List.of("read_user", "sudo", "read_repository", "admin_mode", "repo:read", "")) {
            error(s.post(CREATE, Map.of("name", "x", "scopes", List.of("read_registry", unknown))), 400,
                    "{\"error\":\"scopes does not have a valid value\"}");
        }
        error(s.post(CREATE, Map.of("name", "x", "scopes", List.of("write_registry"))), 400,
                "{\"message\":\"400 Bad request - write_registry needs read_registry: Wharf's write access"
                        + " includes reading\"}");
        error(s.post(CREATE, Map.of("name", "x", "scopes", List.of("api"), "expires_at", "tomorrow")), 400,
                "{\"error\":\"expires_at is invalid\"}");
        error(s.post(CREATE, Map.of("name", "x", "scopes", List.of("api"), "expires_at", today().toString())),
                400, "{\"message\":\"400 Bad request - Expires at cannot be in the past\"}");
        error(s.post(CREATE, Map.of("name", "x".repeat(101), "scopes", List.of("api"))), 400,
                "{\"message\":\"400 Bad request - Name is too long (maximum is 100 characters)\"}");
        error(s.post(CREATE, Map.of("name", "x", "description", "d".repeat(256), "scopes", List.of("api"))), 400,
                "{\"message\":\"400 Bad request - Description is too long (maximum is 255 characters)\"}");
        error(s.post(CREATE, Map.of("name", List.of("x"), "scopes", List.of("api"))), 400,
                "{\"error\":\"name is invalid\"}");
        error(s.post(CREATE, Map.of("name", "x", "scopes", "api,read_api")), 400,
                "{\"error\":\"scopes does not have a valid value\"}");
        error(s.post(CREATE, Map.of("name", "x", "scopes", List.of(1, 2))), 400, "{\"error\":\"scopes is invalid\"}");
        error(s.post(CREATE, "{not json"), 400,
                "{\"message\":\"400 Bad request - The request body is not valid JSON\"}");
        error(s.post(CREATE, "[1]"), 400, "{\"message\":\"400 Bad request - The request body must be a JSON object\"}");
        assertThat(ids(GitlabShape.list(s.get(TOKENS)))).isEmpty();
    }

    @Test
    void parametersMayComeInTheQueryString() {
        User u = user();
        JsonNode t = GitlabShape.one(u.session().post(CREATE + "?name=q&scopes[]=read_api&scopes[]=self_rotate",
                null), 201, true);
        assertThat(t.get("scopes")).extracting(JsonNode::asText).containsExactly("read_api", "self_rotate");
    }

    @Test
    void parametersMayComeAsAFormBodyAsCurlSendsThem() throws Exception {
        User u = user();
        JsonNode t = createToken(u.session(), "form", "api");
        String expires = today().plusDays(4).toString();
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + TOKENS + "/self/rotate"))
                        .header("PRIVATE-TOKEN", t.get("token").asText())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("expires_at=" + expires + "&grace=60"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode rotated = GitlabShape.entity(dev.wharf.http.Json.MAPPER.readTree(r.body()), true);
        assertThat(rotated.get("expires_at").asText()).isEqualTo(expires);
        assertWorks(pat(server, t));
    }

    @Test
    void aTokenCannotCreateATokenWithMoreRegistryAccessThanItHas() {
        User u = user();
        Http apiOnly = pat(server, createToken(u.session(), "manager", "api"));
        error(apiOnly.post(CREATE, Map.of("name", "pusher", "scopes", List.of("read_registry", "write_registry"))),
                400, "{\"message\":\"400 Bad request - Scopes can only include registry access the authenticating"
                        + " token has\"}");
        Http reader = pat(server, createToken(u.session(), "reader", "api", "read_registry"));
        createToken(reader, "also reads", "read_registry");
        createToken(apiOnly, "another manager", "read_api");
    }

    // ------------------------------------------------------------------------------------------------ scopes

    @Test
    void storedScopesShowInGitlabsWordsAndNeverWider() {
        User u = user();
        String jwt = Sessions.login(server.http(), u.name(), GitlabFixtures.PASSWORD);
        Sessions.newToken(server, jwt, "public", "repo:public_read");
        Sessions.newToken(server, jwt, "read", "repo:read");
        Sessions.newToken(server, jwt, "write", "repo:write");
        Sessions.newToken(server, jwt, "admin", "repo:admin");
        JsonNode list = GitlabShape.list(u.session().get(TOKENS + "?sort=created_asc"));
        assertThat(list).hasSize(4);
        assertThat(list.get(0).get("scopes")).isEmpty();
        assertThat(list.get(1).get("scopes")).extracting(JsonNode::asText).containsExactly("read_registry");
        assertThat(list.get(2).get("scopes")).extracting(JsonNode::asText)
                .containsExactly("read_registry", "write_registry");
        assertThat(list.get(3).get("scopes")).extracting(JsonNode::asText)
                .containsExactly("read_registry", "write_registry");
        // A rotation keeps the stored scope: repo:admin does not become repo:write through GitLab's view.
        JsonNode rotated = GitlabShape.one(u.session().post(TOKENS + "/" + list.get(3).get("id").asLong()
                + "/rotate", null), 200, true);
        assertThat(server.wharf().credentials().findById(rotated.get("id").asLong()).orElseThrow().scopes())
                .extracting(s -> s.wireName()).containsExactly("repo:admin");
    }

    // ------------------------------------------------------------------------------------------------ auth

    @Test
    void everyWayGitlabAcceptsATokenWorksAndNothingElseDoes() {
        User u = user();
        JsonNode t = createToken(u.session(), "auth", "api");
        String secret = t.get("token").asText();
        long id = t.get("id").asLong();
        for (Http client : List.of(pat(server, secret), server.http().header("Authorization", "Bearer " + secret),
                server.http().header("authorization", "bearer " + secret))) {
            assertThat(GitlabShape.one(client.get(TOKENS + "/self"), 200, false).get("id").asLong()).isEqualTo(id);
        }
        assertThat(GitlabShape.one(server.http().get(TOKENS + "/self?private_token=" + secret), 200, false)
                .get("id").asLong()).isEqualTo(id);
        GitlabShape.list(u.session().get(TOKENS));
        // A session signed in with the token is that token.
        String tokenSession = Sessions.login(server.http(), u.name(), secret);
        assertThat(GitlabShape.one(server.http().bearer(tokenSession).get(TOKENS + "/self"), 200, false)
                .get("id").asLong()).isEqualTo(id);

        error(server.http().get(TOKENS), 401, UNAUTHORIZED);
        error(pat(server, "glpat-abcdefghijklmnopqrst").get(TOKENS), 401, UNAUTHORIZED);
        // The real secret with its last character changed (to one it is not, whatever the random secret ends with).
        String oneCharacterOff = secret.substring(0, secret.length() - 1) + (secret.endsWith("x") ? "y" : "x");
        error(pat(server, oneCharacterOff).get(TOKENS), 401, UNAUTHORIZED);
        error(pat(server, "x".repeat(5000)).get(TOKENS), 401, UNAUTHORIZED);
        error(server.http().header("Authorization", "Basic " + secret).get(TOKENS), 401, UNAUTHORIZED);
        error(server.http().bearer("not.a.jwt").get(TOKENS), 401, UNAUTHORIZED);
        error(u.session().get(TOKENS + "/self"), 400,
                "{\"message\":\"400 Bad request - This endpoint requires token type to be a personal access token\"}");
    }

    @Test
    void aUseIsRecordedAsLastUseWithItsAddress() throws InterruptedException {
        User u = user();
        JsonNode t = createToken(u.session(), "used", "read_api");
        assertWorks(pat(server, t));
        server.wharf().bookkeeping().settle(); // last uses are written in the background
        JsonNode self = GitlabShape.one(pat(server, t).get(TOKENS + "/self"), 200, false);
        assertThat(self.get("last_used_at").isNull()).isFalse();
        assertThat(self.get("last_used_ips")).extracting(JsonNode::asText).containsExactly("127.0.0.1");
    }

    @Test
    void robotsDoNotExistInThisDialect() {
        User u = user();
        var owner = server.wharf().accounts().find(u.name()).orElseThrow();
        var org = server.wharf().accounts().createOrg(uniqueName("org"), owner, owner.asActor());
        var robot = server.wharf().credentials().create(org, Credentials.Draft.robot("bot", null,
                        List.of(new Resource(Resource.Kind.REPOSITORY, org.name() + "/*", Set.of(Action.PULL))), null),
                new Credentials.Origin("127.0.0.1", "test", "TEST"), owner.asActor(), false);
        error(pat(server, robot.secret()).get(TOKENS + "/self"), 401, UNAUTHORIZED);
        error(pat(server, robot.secret()).get(TOKENS), 401, UNAUTHORIZED);
        long robotId = robot.credential().id();
        error(admin().get(TOKENS + "/" + robotId), 404, "{\"message\":\"404 Personal Access Token Not Found\"}");
        assertThat(ids(GitlabShape.list(admin().get(TOKENS + "?search=bot")))).doesNotContain(robotId);
    }

    @Test
    void revokedAndExpiredTokensGetTheOauthGuardsAnswers() {
        User u = user();
        JsonNode revoked = createToken(u.session(), "gone", "api");
        assertThat(u.session().delete(TOKENS + "/" + revoked.get("id").asLong()).status()).isEqualTo(204);
        Http.Response r = pat(server, revoked).get(TOKENS);
        error(r, 401, REVOKED);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer realm=").contains("error=\"invalid_token\"");

        String soon = OffsetDateTime.now(clock).plusMinutes(1).withNano(0).toString();
        String jwt = Sessions.login(server.http(), u.name(), GitlabFixtures.PASSWORD);
        Http.Response hub = server.http().bearer(jwt).post("/v2/access-tokens",
                Map.of("token_label", "short", "scopes", List.of("repo:read"), "expires_at", soon));
        String expiring = hub.json().get("token").asText();
        assertWorks(pat(server, expiring));
        clock.advance(Duration.ofMinutes(2));
        error(pat(server, expiring).get(TOKENS + "/self"), 401, "{\"error\":\"invalid_token\",\"error_description\":"
                + "\"Token is expired. You can either do re-authorization or token refresh.\"}");
    }

    @Test
    void managementNeedsApiReadingAlsoReadApiAndSelfAnyScope() {
        User u = user();
        JsonNode registry = createToken(u.session(), "registry", "read_registry");
        JsonNode readApi = createToken(u.session(), "reader", "read_api");
        JsonNode selfRotate = createToken(u.session(), "rotator", "self_rotate", "read_registry");
        long id = registry.get("id").asLong();

        Http.Response denied = pat(server, registry).get(TOKENS);
        error(denied, 403, "{\"error\":\"insufficient_scope\",\"error_description\":\"The request requires higher"
                + " privileges than provided by the access token.\",\"scope\":\"api read_api\"}");
        assertThat(denied.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"");
        assertThat(GitlabShape.one(pat(server, registry).get(TOKENS + "/self"), 200, false).get("id").asLong())
                .isEqualTo(id);

        assertThat(ids(GitlabShape.list(pat(server, readApi).get(TOKENS)))).hasSize(3);
        GitlabShape.one(pat(server, readApi).get(TOKENS + "/" + id), 200, false);
        String apiOnly = "{\"error\":\"insufficient_scope\",\"error_description\":\"The request requires higher"
                + " privileges than provided by the access token.\",\"scope\":\"api\"}";
        error(pat(server, readApi).delete(TOKENS + "/" + id), 403, apiOnly);
        error(pat(server, readApi).post(TOKENS + "/" + id + "/rotate", null), 403, apiOnly);
        error(pat(server, readApi).post(CREATE, Map.of("name", "x", "scopes", List.of("read_api"))), 403, apiOnly);
        error(pat(server, readApi).post(TOKENS + "/self/rotate", null), 403, "{\"error\":\"insufficient_scope\","
                + "\"error_description\":\"The request requires higher privileges than provided by the access"
                + " token.\",\"scope\":\"api self_rotate\"}");

        JsonNode rotated = GitlabShape.one(pat(server, selfRotate).post(TOKENS + "/self/rotate", null), 200, true);
        assertThat(rotated.get("scopes")).extracting(JsonNode::asText).containsExactly("self_rotate", "read_registry");
        assertThat(pat(server, readApi).delete(TOKENS + "/self").status()).isEqualTo(204);
    }

    // ------------------------------------------------------------------------------------------------ visibility

    @Test
    void othersTokensAreUnauthorizedForUsersAndVisibleToAdmins() {
        User alice = user();
        User bob = user();
        long alices = createToken(alice.session(), "alice's", "api").get("id").asLong();
        createToken(bob.session(), "bob's", "api");
        Http bobs = bob.session();

        error(bobs.get(TOKENS + "/" + alices), 401, UNAUTHORIZED);
        error(bobs.post(TOKENS + "/" + alices + "/rotate", null), 401, UNAUTHORIZED);
        error(bobs.delete(TOKENS + "/" + alices), 400, "{\"message\":\"400 Bad request\"}");
        for (String missing : List.of("999999999", "abc", "99999999999999999999999", "-1", "1.5")) {
            error(bobs.get(TOKENS + "/" + missing), 401, UNAUTHORIZED);
            error(admin().get(TOKENS + "/" + missing), 404, "{\"message\":\"404 Personal Access Token Not Found\"}");
            error(admin().post(TOKENS + "/" + missing + "/rotate", null), 404,
                    "{\"message\":\"404 Personal Access Token Not Found\"}");
            error(bobs.delete(TOKENS + "/" + missing), 404, "{\"message\":\"404 Personal Access Token Not Found\"}");
        }
        assertThat(GitlabShape.one(admin().get(TOKENS + "/" + alices), 200, false).get("user_id").asLong())
                .isEqualTo(alice.id());

        JsonNode own = GitlabShape.list(bobs.get(TOKENS));
        assertThat(own).hasSize(1);
        assertThat(own.get(0).get("user_id").asLong()).isEqualTo(bob.id());
        assertThat(GitlabShape.list(bobs.get(TOKENS + "?user_id=" + bob.id()))).hasSize(1);
        assertThat(GitlabShape.list(bobs.get(TOKENS + "?user_id=" + bob.name()))).hasSize(1);
        error(bobs.get(TOKENS + "?user_id=" + alice.id()), 401, UNAUTHORIZED);
        error(bobs.get(TOKENS + "?user_id=999999999"), 401, UNAUTHORIZED);

        JsonNode alicesList = GitlabShape.list(admin().get(TOKENS + "?user_id=" + alice.id()));
        assertThat(ids(alicesList)).containsExactly(alices);
        assertThat(ids(GitlabShape.list(admin().get(TOKENS + "?user_id=" + alice.name())))).containsExactly(alices);
        error(admin().get(TOKENS + "?user_id=999999999"), 404, "{\"message\":\"404 User Not Found\"}");
        error(admin().get(TOKENS + "?user_id="), 404, "{\"message\":\"404 User Not Found\"}");
        assertThat(ids(GitlabShape.list(admin().get(TOKENS + "?search=alice's")))).contains(alices);
    }

    // ------------------------------------------------------------------------------------------------ listing

    @Test
    void everyFilterSelectsWhatGitlabsFinderSelects() {
        User u = user();
        Http s = u.session();
        OffsetDateTime t0 = OffsetDateTime.now(clock);
        long never = createToken(s, Map.of("name", "Deploy alpha", "scopes", List.of("api"))).get("id").asLong();
        clock.advance(Duration.ofMinutes(10));
        OffsetDateTime t1 = OffsetDateTime.now(clock).minusMinutes(5);
        long soon = createToken(s, Map.of("name", "deploy beta", "scopes", List.of("api"),
                "expires_at", today().plusDays(10).toString())).get("id").asLong();
        clock.advance(Duration.ofMinutes(10));
        long later = createToken(s, Map.of("name", "ab", "scopes", List.of("api"),
                "expires_at", today().plusDays(100).toString())).get("id").asLong();
        long gone = createToken(s, "revoked one", "api").get("id").asLong();
        assertThat(s.delete(TOKENS + "/" + gone).status()).isEqualTo(204);
        OffsetDateTime used = OffsetDateTime.now(clock).minusDays(1);
        server.wharf().database().jdbi().useHandle(h -> h.createUpdate(
                        "UPDATE credentials SET last_used = :t, last_used_ips = '192.0.2.10' WHERE id = :id")
                .bind("t", used).bind("id", soon).execute());

        assertThat(ids(GitlabShape.list(s.get(TOKENS)))).containsExactly(never, soon, later, gone);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?revoked=true")))).containsExactly(gone);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?revoked=false")))).containsExactly(never, soon, later);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?state=active")))).containsExactly(never, soon, later);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?state=inactive")))).containsExactly(gone);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?created_before=" + t1)))).containsExactly(never);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?created_after=" + t1))))
                .containsExactly(soon, later, gone);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?created_after=" + t0.toLocalDate()))))
                .containsExactly(never, soon, later, gone);
        String usedAt = used.withNano(0).toString();
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?last_used_after=" + usedAt)))).containsExactly(soon);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?last_used_before=" + used.plusSeconds(1)))))
                .containsExactly(soon);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?last_used_before=" + used.minusHours(1))))).isEmpty();
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?expires_before=" + today().plusDays(10))))).isEmpty();
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?expires_before=" + today().plusDays(11)))))
                .containsExactly(soon);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?expires_after=" + today().plusDays(10)))))
                .containsExactly(soon, later);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?expires_after=" + today().plusDays(11)))))
                .containsExactly(later);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?search=DEPLOY")))).containsExactly(never, soon);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?search=ab")))).containsExactly(later);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?search=a")))).isEmpty();
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?search=")))).hasSize(4);
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?search=100%25_")))).isEmpty();
        assertThat(ids(GitlabShape.list(s.get(TOKENS + "?search=deploy&state=active&expires_after="
                + today())))).containsExactly(soon);
        JsonNode usedOne = byId(GitlabShape.list(s.get(TOKENS)), soon);
        assertThat(usedOne.get("last_used_ips")).extracting(JsonNode::asText).containsExactly("192.0.2.10");
        assertThat(usedOne.get("last_used_at").isNull()).isFalse();
    }

    @Test
    void everySortOrdersAndAnUnknownOneIsIgnored() {
        User u = user();
        Http s = u.session();
        long b = createToken(s, Map.of("name", "b", "scopes", List.of("api"),
                "expires_at", today().plusDays(5).toString())).get("id").asLong();
        clock.advance(Duration.ofMinutes(1));
        long a = createToken(s, Map.of("name", "a", "scopes", List.of("api"))).get("id").asLong();
        clock.advance(Duration.ofMinutes(1));
        long c = createToken(s, Map.of("name", "c", "scopes", List.of("api"),
                "expires_at", today().plusDays(9).toString())).get("id").asLong();
        server.wharf().database().jdbi().useHandle(h -> h.createUpdate(
                "UPDATE credentials SET last_used = :t WHERE id = :id").bind("t", OffsetDateTime.now(clock))
                .bind("id", a).execute());
        Map<String, List<Long>> expected = Map.of(
                "created_asc", List.of(b, a, c), "created_desc", List.of(c, a, b),
                "expires_asc", List.of(b, c, a), "expires_desc", List.of(c, b, a),
                "last_used_asc", List.of(a, b, c), "last_used_desc", List.of(a, b, c),
                "name_asc", List.of(a, b, c), "name_desc", List.of(c, b, a),
                "no_such_sort", List.of(b, a, c), "", List.of(b, a, c));
        expected.forEach((sort, order) -> assertThat(ids(GitlabShape.list(s.get(TOKENS + "?sort=" + sort))))
                .as(sort).containsExactlyElementsOf(order));
    }

    @Test
    void pagesCarryGitlabsHeadersAndLinks() {
        User u = user();
        Http s = u.session();
        for (int i = 0; i < 5; i++) {
            createToken(s, "page " + i, "api");
        }
        Http.Response first = s.get(TOKENS + "?per_page=2&search=page");
        assertThat(GitlabShape.list(first)).hasSize(2);
        assertThat(first.header("X-Page")).isEqualTo("1");
        assertThat(first.header("X-Per-Page")).isEqualTo("2");
        assertThat(first.header("X-Total")).isEqualTo("5");
        assertThat(first.header("X-Total-Pages")).isEqualTo("3");
        assertThat(first.header("X-Next-Page")).isEqualTo("2");
        assertThat(first.header("X-Prev-Page")).isEmpty();
        String base = server.url() + TOKENS;
        assertThat(first.header("Link")).isEqualTo(
                "<" + base + "?per_page=2&search=page&page=2>; rel=\"next\", "
                        + "<" + base + "?per_page=2&search=page&page=1>; rel=\"first\", "
                        + "<" + base + "?per_page=2&search=page&page=3>; rel=\"last\"");

        Http.Response last = s.get(TOKENS + "?per_page=2&page=3");
        assertThat(GitlabShape.list(last)).hasSize(1);
        assertThat(last.header("X-Next-Page")).isEmpty();
        assertThat(last.header("X-Prev-Page")).isEqualTo("2");
        assertThat(last.header("Link")).startsWith("<" + base + "?per_page=2&page=2>; rel=\"prev\", ")
                .doesNotContain("rel=\"next\"");
        List<Long> all = ids(GitlabShape.list(s.get(TOKENS)));
        List<Long> paged = new java.util.ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            paged.addAll(ids(GitlabShape.list(s.get(TOKENS + "?per_page=2&page=" + page))));
        }
        assertThat(paged).isEqualTo(all);

        Http.Response beyond = s.get(TOKENS + "?page=99999999999999999999999");
        assertThat(GitlabShape.list(beyond)).isEmpty();
        assertThat(beyond.header("X-Prev-Page")).isEmpty();
        assertThat(s.get(TOKENS + "?per_page=100000").header("X-Per-Page")).isEqualTo("100");
        assertThat(s.get(TOKENS + "?per_page=0").header("X-Per-Page")).isEqualTo("20");
        assertThat(s.get(TOKENS).header("X-Per-Page")).isEqualTo("20");
        Http.Response empty = s.get(TOKENS + "?search=nothing-matches");
        assertThat(empty.header("X-Total")).isEqualTo("0");
        assertThat(empty.header("X-Total-Pages")).isEqualTo("1");

        String secret = createToken(s, "query auth", "api").get("token").asText();
        Http.Response viaQuery = server.http().get(TOKENS + "?private_token=" + secret + "&per_page=1");
        assertThat(viaQuery.header("Link")).doesNotContain(secret).doesNotContain("private_token");
    }

    @Test
    void garbageParametersGetGrapesErrorsAndNeverA5xx() {
        Http s = user().session();
        error(s.get(TOKENS + "?revoked=maybe"), 400, "{\"error\":\"revoked is invalid\"}");
        error(s.get(TOKENS + "?state=expired"), 400, "{\"error\":\"state does not have a valid value\"}");
        for (String time : List.of("created_before", "created_after", "last_used_before", "last_used_after",
                "expires_before", "expires_after")) {
            error(s.get(TOKENS + "?" + time + "=yesterday"), 400, "{\"error\":\"" + time + " is invalid\"}");
            error(s.get(TOKENS + "?" + time + "=2022-13-45"), 400, "{\"error\":\"" + time + " is invalid\"}");
        }
        error(s.get(TOKENS + "?per_page=lots"), 400, "{\"error\":\"per_page is invalid\"}");
        error(s.get(TOKENS + "?page=1e3"), 400, "{\"error\":\"page is invalid\"}");
        error(s.get(TOKENS + "?search=" + "x".repeat(2000)), 400, "{\"error\":\"search is invalid\"}");
        for (String path : List.of(TOKENS + "?sort=%00", TOKENS + "/%E2%82%AC", TOKENS + "/self/rotate/x",
                TOKENS + "?user_id=%27%3B--", TOKENS + "?created_before=2022-01-01T00:00:00%2B99:00")) {
            Http.Response r = s.get(path);
            assertThat(r.status()).as("%s", r).isBetween(200, 499);
            r.json();
        }
    }

    @Test
    void unknownPathsAndWrongMethodsAnswerInGitlabsShape() {
        Http s = user().session();
        error(s.get("/api/v4/projects"), 404, "{\"message\":\"404 Not Found\"}");
        error(s.get("/api/v4"), 404, "{\"message\":\"404 Not Found\"}");
        Http.Response wrong = s.put(TOKENS + "/self", Map.of());
        error(wrong, 405, "{\"message\":\"405 Method Not Allowed\"}");
        assertThat(wrong.header("Allow")).isEqualTo("DELETE, GET");
        error(s.post(TOKENS, Map.of()), 405, "{\"message\":\"405 Method Not Allowed\"}");
        error(s.get(TOKENS + "/1/rotate"), 405, "{\"message\":\"405 Method Not Allowed\"}");
    }

    // ------------------------------------------------------------------------------------------------ revoking

    @Test
    void revokingKeepsTheTokenListedAsRevoked() {
        User u = user();
        JsonNode t = createToken(u.session(), "to revoke", "api");
        long id = t.get("id").asLong();
        Http.Response deleted = u.session().delete(TOKENS + "/" + id);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        JsonNode listed = byId(GitlabShape.list(u.session().get(TOKENS)), id);
        assertThat(listed.get("revoked").asBoolean()).isTrue();
        assertThat(listed.get("active").asBoolean()).isFalse();
        assertThat(GitlabShape.one(u.session().get(TOKENS + "/" + id), 200, false).get("revoked").asBoolean())
                .isTrue();
        error(pat(server, t).get(TOKENS + "/self"), 401, REVOKED);
        assertThat(u.session().delete(TOKENS + "/" + id).status()).isEqualTo(204);
        assertThat(admin().delete(TOKENS + "/" + createToken(u.session(), "by admin", "api").get("id").asLong())
                .status()).isEqualTo(204);
    }

    @Test
    void aTokenRevokesItself() {
        User u = user();
        JsonNode t = createToken(u.session(), "self revoke", "read_registry");
        Http self = pat(server, t);
        assertThat(self.delete(TOKENS + "/self").status()).isEqualTo(204);
        error(self.delete(TOKENS + "/self"), 401, REVOKED);
        assertThat(byId(GitlabShape.list(u.session().get(TOKENS)), t.get("id").asLong()).get("revoked").asBoolean())
                .isTrue();
        error(u.session().delete(TOKENS + "/self"), 400,
                "{\"message\":\"400 Bad request - This endpoint requires token type to be a personal access token\"}");
    }

    // ------------------------------------------------------------------------------------------------ rotating

    @Test
    void rotationReplacesTheTokenAndRevokesTheOldOne() {
        User u = user();
        JsonNode old = createToken(u.session(), Map.of("name", "rotating", "description", "kept",
                "scopes", List.of("api", "read_registry")));
        long oldId = old.get("id").asLong();
        String expires = today().plusDays(20).toString();
        JsonNode fresh = GitlabShape.one(u.session().post(TOKENS + "/" + oldId + "/rotate?expires_at=" + expires,
                null), 200, true);
        assertThat(fresh.get("id").asLong()).isNotEqualTo(oldId);
        assertThat(fresh.get("name").asText()).isEqualTo("rotating");
        assertThat(fresh.get("description").asText()).isEqualTo("kept");
        assertThat(fresh.get("scopes")).extracting(JsonNode::asText).containsExactly("api", "read_registry");
        assertThat(fresh.get("expires_at").asText()).isEqualTo(expires);
        assertThat(fresh.get("token").asText()).isNotEqualTo(old.get("token").asText());
        assertThat(server.wharf().credentials().findById(fresh.get("id").asLong()).orElseThrow().rotatedFromId())
                .isEqualTo(oldId);
        error(pat(server, old).get(TOKENS + "/self"), 401, REVOKED);
        assertWorks(pat(server, fresh));
        assertThat(byId(GitlabShape.list(u.session().get(TOKENS)), oldId).get("revoked").asBoolean()).isTrue();

        error(pat(server, fresh).post(TOKENS + "/" + oldId + "/rotate", null), 400,
                "{\"message\":\"400 Bad request - Token already revoked\"}");
        String inBody = today().plusDays(3).toString();
        JsonNode again = GitlabShape.one(pat(server, fresh).post(TOKENS + "/self/rotate",
                Map.of("expires_at", inBody)), 200, true);
        assertThat(again.get("expires_at").asText()).isEqualTo(inBody);
        assertThat(GitlabShape.one(pat(server, again).post(TOKENS + "/self/rotate", null), 200, true)
                .get("expires_at").isNull()).isTrue();
        error(u.session().post(TOKENS + "/" + again.get("id").asLong() + "/rotate?expires_at=soon", null), 400,
                "{\"error\":\"expires_at is invalid\"}");
        error(u.session().post(TOKENS + "/self/rotate", null), 400,
                "{\"message\":\"400 Bad request - This endpoint requires token type to be a personal access token\"}");
    }

    @Test
    void aGraceWindowKeepsTheOldSecretWorkingUntilItEnds() {
        User u = user();
        JsonNode old = createToken(u.session(), "graceful", "api");
        JsonNode fresh = GitlabShape.one(pat(server, old).post(TOKENS + "/self/rotate?grace=1h", null), 200, true);
        assertWorks(pat(server, old));
        assertWorks(pat(server, fresh));
        JsonNode listed = byId(GitlabShape.list(u.session().get(TOKENS)), old.get("id").asLong());
        assertThat(listed.get("revoked").asBoolean()).isFalse();
        clock.advance(Duration.ofMinutes(59));
        assertWorks(pat(server, old));
        clock.advance(Duration.ofMinutes(2));
        error(pat(server, old).get(TOKENS + "/self"), 401, REVOKED);
        assertWorks(pat(server, fresh));
        server.wharf().credentials().finishGraceWindows();
        JsonNode logs = u.session().get("/v2/auditlogs/" + u.name() + "?name=graceful").json().get("logs");
        List<String> actions = new java.util.ArrayList<>();
        logs.forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).contains("user.access_token.rotate", "user.access_token.grace_end");

        JsonNode bySeconds = GitlabShape.one(pat(server, fresh).post(TOKENS + "/self/rotate",
                Map.of("grace", "120")), 200, true);
        clock.advance(Duration.ofSeconds(119));
        assertWorks(pat(server, fresh));
        clock.advance(Duration.ofSeconds(2));
        error(pat(server, fresh).get(TOKENS + "/self"), 401, REVOKED);
        GitlabShape.one(pat(server, bySeconds).post(TOKENS + "/self/rotate", Map.of("grace", 1800)), 200, true);

        JsonNode other = createToken(u.session(), "bounds", "api");
        String path = TOKENS + "/" + other.get("id").asLong() + "/rotate";
        error(u.session().post(path + "?grace=25h", null), 400,
                "{\"message\":\"400 Bad request - grace must be at most 24 hours\"}");
        error(u.session().post(path + "?grace=soon", null), 400, "{\"error\":\"grace is invalid\"}");
        error(u.session().post(path + "?grace=-5", null), 400, "{\"error\":\"grace is invalid\"}");
        error(u.session().post(path, Map.of("grace", List.of())), 400, "{\"error\":\"grace is invalid\"}");
        GitlabShape.one(u.session().post(path, Map.of("grace", "24h")), 200, true);
    }

    @Test
    void rotatingWithARevokedTokenRevokesItsWholeLiveFamily() {
        User u = user();
        JsonNode a = createToken(u.session(), "family", "api");
        JsonNode b = GitlabShape.one(pat(server, a).post(TOKENS + "/self/rotate", null), 200, true);
        JsonNode c = GitlabShape.one(pat(server, b).post(TOKENS + "/self/rotate", null), 200, true);
        // Any other use of the old token is a plain refusal: the family lives on.
        error(pat(server, a).get(TOKENS + "/self"), 401, REVOKED);
        assertWorks(pat(server, c));

        Http.Response reuse = pat(server, a).post(TOKENS + "/self/rotate", null);
        error(reuse, 401, REVOKED);
        error(pat(server, c).get(TOKENS + "/self"), 401, REVOKED);
        JsonNode list = GitlabShape.list(u.session().get(TOKENS));
        assertThat(byId(list, c.get("id").asLong()).get("revoked").asBoolean()).isTrue();

        // The same through the id form of the route.
        JsonNode d = createToken(u.session(), "family two", "api");
        JsonNode e = GitlabShape.one(pat(server, d).post(TOKENS + "/self/rotate", null), 200, true);
        error(pat(server, d).post(TOKENS + "/" + e.get("id").asLong() + "/rotate", null), 401, REVOKED);
        error(pat(server, e).get(TOKENS + "/self"), 401, REVOKED);
    }
}
