package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token endpoint and bearer tokens: the grant is exactly asked ∩ what the account may ∩ what the credential
 * allows, and a token made from a PAT stops working as soon as the PAT does.
 */
abstract class TokenAuthTest extends RegistryTestBase {
    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    @BeforeAll
    void repositories() {
        pushImage(alice(), "alice/private", "v1", 1);
        pushImage(alice(), "alice/public", "v1", 1);
        makePublic("alice/public");
        Http asAlice = hub().bearer(aliceSession);
        assertThat(asAlice.post("/api/v1/orgs", Map.of("name", "acme")).status()).isEqualTo(201);
        pushImage(alice(), "acme/tool", "v1", 1);
    }

    /** A PAT of alice's with these scopes: {uuid, secret}. */
    String[] pat(String session, String label, String... scopes) {
        Http.Response r = hub().bearer(session).post("/v2/access-tokens",
                Map.of("token_label", label, "scopes", List.of(scopes)));
        assertThat(r.status()).isEqualTo(201);
        return new String[] {r.json().get("uuid").asText(), r.json().get("token").asText()};
    }

    JsonNode tokenResponse(RegistryClient client, String... scopes) {
        StringBuilder q = new StringBuilder("/token?service=test");
        for (String s : scopes) {
            q.append("&scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        RegistryClient.Res r = client.get(q.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** The actions the token grants per repository, e.g. {@code alice/x=[pull, push]}. */
    static Map<String, Set<String>> grants(String jwt) {
        try {
            JsonNode claims = RegistryClient.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.", -1)[1]));
            Map<String, Set<String>> out = new java.util.TreeMap<>();
            for (JsonNode entry : claims.path("access")) {
                TreeSet<String> actions = new TreeSet<>();
                entry.path("actions").forEach(a -> actions.add(a.asText()));
                out.put(entry.path("name").asText(), actions);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    Map<String, Set<String>> granted(RegistryClient client, String... scopes) {
        return grants(tokenResponse(client, scopes).path("token").asText());
    }

    static Set<String> set(String... actions) {
        return new TreeSet<>(List.of(actions));
    }

    @Test
    void responseShape() {
        JsonNode r = tokenResponse(alice(), "repository:alice/private:pull");
        assertThat(r.path("token").asText()).isNotEmpty().isEqualTo(r.path("access_token").asText());
        assertThat(r.path("expires_in").asInt()).isEqualTo(300);
        assertThat(Instant.parse(r.path("issued_at").asText())).isBefore(clock.instant().plusSeconds(5));
    }

    @Test
    void passwordGetsWhateverTheAccountMay() {
        RegistryClient withPassword = anonymous().basic("alice", PASSWORD);
        assertThat(granted(withPassword, "repository:alice/new:pull,push,delete"))
                .containsEntry("alice/new", set("delete", "pull", "push"));
        assertThat(granted(withPassword, "repository:bobby/x:pull,push")).isEmpty();
        assertThat(granted(withPassword, "repository:alice/private:*"))
                .containsEntry("alice/private", set("delete", "pull", "push"));
    }

    @Test
    void patScopesLimitTheGrant() {
        String all = "repository:alice/private:pull,push,delete";
        String pub = "repository:alice/public:pull,push,delete";
        String[] publicRead = pat(aliceSession, "pr", "repo:public_read");
        String[] read = pat(aliceSession, "r", "repo:read");
        String[] write = pat(aliceSession, "w", "repo:write");
        String[] admin = pat(aliceSession, "a", "repo:admin");
        assertThat(granted(anonymous().basic("alice", publicRead[1]), all, pub))
                .doesNotContainKey("alice/private").containsEntry("alice/public", set("pull"));
        assertThat(granted(anonymous().basic("alice", read[1]), all)).containsEntry("alice/private", set("pull"));
        assertThat(granted(anonymous().basic("alice", write[1]), all))
                .containsEntry("alice/private", set("pull", "push"));
        assertThat(granted(anonymous().basic("alice", admin[1]), all))
                .containsEntry("alice/private", set("delete", "pull", "push"));
        assertThat(granted(anonymous().basic("alice", admin[1]), "repository:alice/private:pull"))
                .containsEntry("alice/private", set("pull"));
    }

    @Test
    void otherNamespacesAndAnonymous() {
        assertThat(granted(bob(), "repository:alice/private:pull", "repository:alice/public:pull,push,delete"))
                .doesNotContainKey("alice/private").containsEntry("alice/public", set("pull"));
        assertThat(granted(anonymous(), "repository:alice/private:pull", "repository:alice/public:pull,push"))
                .doesNotContainKey("alice/private").containsEntry("alice/public", set("pull"));
        assertThat(granted(anonymous(), "repository:alice/nonexistent:pull")).isEmpty();
        assertThat(granted(anonymous(), "registry:catalog:*", "repository:Bad Name:pull", "garbage")).isEmpty();
    }

    @Test
    void orgRolesDecideWhatMembersMay() {
        String scope = "repository:acme/tool:pull,push,delete";
        Http asAlice = hub().bearer(aliceSession);
        assertThat(granted(bob(), scope)).isEmpty();
        String[] roles = {"member", "editor", "owner"};
        List<Set<String>> expected = List.of(set("pull"), set("pull", "push"), set("delete", "pull", "push"));
        for (int i = 0; i < roles.length; i++) {
            assertThat(asAlice.put("/api/v1/orgs/acme/members/bobby", Map.of("role", roles[i])).status())
                    .isEqualTo(200);
            assertThat(granted(bob(), scope)).as(roles[i]).containsEntry("acme/tool", expected.get(i));
        }
        assertThat(asAlice.put("/api/v1/orgs/acme/members/bobby", Map.of("role", "member")).status()).isEqualTo(200);
        assertThat(granted(anonymous().basic("alice", PASSWORD), scope))
                .containsEntry("acme/tool", set("delete", "pull", "push"));
    }

    @Test
    void badCredentialsAreRefused() {
        RegistryClient.Res wrong = anonymous().basic("alice", "not-the-password").get("/token?scope=x");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.code()).isEqualTo("UNAUTHORIZED");
        RegistryClient.Res foreignPat = anonymous().basic("bobby", alicePat).get("/token");
        assertThat(foreignPat.status()).isEqualTo(401);
        RegistryClient.Res garbage = anonymous().with("Authorization", "Basic !!!").get("/token");
        assertThat(garbage.status()).isEqualTo(401);
        assertThat(anonymous().bearer(aliceSession).get("/token").status()).isEqualTo(401);
    }

    @Test
    void oauthFormPost() {
        String form = "grant_type=password&username=alice&password=" + URLEncoder.encode(alicePat,
                StandardCharsets.UTF_8) + "&service=test&client_id=skopeo&scope="
                + URLEncoder.encode("repository:alice/private:pull,push", StandardCharsets.UTF_8);
        RegistryClient.Res r = anonymous().post("/token", form.getBytes(java.nio.charset.StandardCharsets.UTF_8), "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(grants(r.json().path("access_token").asText()))
                .containsEntry("alice/private", set("pull", "push"));
        assertThat(r.json().path("scope").asText()).isEqualTo("repository:alice/private:pull,push");
        RegistryClient.Res refresh = anonymous().post("/token", "grant_type=refresh_token&refresh_token=x"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(refresh.status()).isEqualTo(400);
        assertThat(refresh.json().path("error").asText()).isEqualTo("unsupported_grant_type");
        RegistryClient.Res bad = anonymous().post("/token", "grant_type=password&username=alice&password=nope"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(bad.status()).isEqualTo(401);
    }

    @Test
    void bearerTokensGrantExactlyTheirAccess() {
        String pull = tokenResponse(alice(), "repository:alice/private:pull").path("token").asText();
        RegistryClient withPull = anonymous().bearer(pull);
        assertThat(withPull.get("/v2/").status()).isEqualTo(200);
        assertThat(withPull.get("/v2/alice/private/manifests/v1").status()).isEqualTo(200);
        RegistryClient.Res push = withPull.post("/v2/alice/private/blobs/uploads/", null);
        assertThat(push.status()).isEqualTo(401);
        assertThat(push.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"")
                .contains("scope=\"repository:alice/private:pull,push\"");
        assertThat(withPull.get("/v2/alice/public/manifests/v1").status()).as("not in the token").isEqualTo(401);
        String anonymousToken = tokenResponse(anonymous(), "repository:alice/public:pull").path("token").asText();
        assertThat(anonymous().bearer(anonymousToken).get("/v2/alice/public/manifests/v1").status()).isEqualTo(200);
        assertThat(anonymous().bearer(anonymousToken).get("/v2/").status()).isEqualTo(200);
        assertThat(anonymous().bearer(pull + "x").get("/v2/").status()).isEqualTo(401);
    }

    @Test
    void tokensOfADeactivatedOrDeletedPatStopAtOnce() {
        for (String how : new String[] {"deactivate", "delete"}) {
            String[] p = pat(aliceSession, "revoke-" + how, "repo:admin");
            RegistryClient basic = anonymous().basic("alice", p[1]);
            String jwt = tokenResponse(basic, "repository:alice/private:pull").path("token").asText();
            RegistryClient bearer = anonymous().bearer(jwt);
            assertThat(bearer.get("/v2/alice/private/manifests/v1").status()).isEqualTo(200);
            assertThat(basic.get("/v2/alice/private/manifests/v1").status()).isEqualTo(200);
            Http.Response change = how.equals("delete")
                    ? hub().bearer(aliceSession).delete("/v2/access-tokens/" + p[0])
                    : hub().bearer(aliceSession).patch("/v2/access-tokens/" + p[0], Map.of("is_active", false));
            assertThat(change.status()).isIn(200, 204);
            assertThat(bearer.get("/v2/alice/private/manifests/v1").status()).as(how).isEqualTo(401);
            assertThat(bearer.get("/v2/").status()).as(how).isEqualTo(401);
            assertThat(basic.get("/v2/alice/private/manifests/v1").status()).as(how).isEqualTo(401);
            assertThat(basic.get("/token").status()).as(how).isEqualTo(401);
        }
    }

    @Test
    void tokensOfAnExpiredPatStop() {
        String expiry = clock.instant().plusSeconds(3).toString();
        Http.Response r = hub().bearer(aliceSession).post("/v2/access-tokens", Map.of("token_label", "short-lived",
                "scopes", List.of("repo:read"), "expires_at", expiry));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        RegistryClient basic = anonymous().basic("alice", r.json().get("token").asText());
        String jwt = tokenResponse(basic, "repository:alice/private:pull").path("token").asText();
        assertThat(anonymous().bearer(jwt).get("/v2/alice/private/manifests/v1").status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(4));
        assertThat(anonymous().bearer(jwt).get("/v2/alice/private/manifests/v1").status()).isEqualTo(401);
        assertThat(basic.get("/v2/alice/private/manifests/v1").status()).isEqualTo(401);
    }

    @Test
    void multipleScopesInOneRequest() {
        Map<String, Set<String>> g = granted(alice(), "repository:alice/private:pull",
                "repository:alice/public:push repository:alice/other:delete");
        assertThat(g).containsEntry("alice/private", set("pull")).containsEntry("alice/public", set("push"))
                .containsEntry("alice/other", set("delete"));
        List<String> names = new ArrayList<>(g.keySet());
        assertThat(names).hasSize(3);
    }

    @Test
    void leavingTheOrgEndsWhatItsTokensGrantOnTheNextRequest() {
        Http asAlice = hub().bearer(aliceSession);
        assertThat(asAlice.put("/api/v1/orgs/acme/members/bobby", Map.of("role", "editor")).status())
                .isEqualTo(200);
        String jwt = tokenResponse(bob(), "repository:acme/tool:pull,push").path("token").asText();
        RegistryClient bearer = anonymous().bearer(jwt);
        assertThat(bearer.get("/v2/acme/tool/manifests/v1").status()).isEqualTo(200);
        assertThat(bearer.post("/v2/acme/tool/blobs/uploads/", null).status()).isEqualTo(202);

        assertThat(asAlice.delete("/api/v1/orgs/acme/members/bobby").status()).isEqualTo(204);
        RegistryClient.Res pull = bearer.get("/v2/acme/tool/manifests/v1");
        assertThat(pull.status()).isEqualTo(401);
        assertThat(pull.header("WWW-Authenticate")).contains("insufficient_scope");
        assertThat(bearer.post("/v2/acme/tool/blobs/uploads/", null).status()).isEqualTo(401);

        // A demotion narrows the token to what the new role allows.
        assertThat(asAlice.put("/api/v1/orgs/acme/members/bobby", Map.of("role", "editor")).status())
                .isEqualTo(200);
        String again = tokenResponse(bob(), "repository:acme/tool:pull,push").path("token").asText();
        assertThat(asAlice.put("/api/v1/orgs/acme/members/bobby", Map.of("role", "member")).status())
                .isEqualTo(200);
        assertThat(anonymous().bearer(again).get("/v2/acme/tool/manifests/v1").status()).isEqualTo(200);
        assertThat(anonymous().bearer(again).post("/v2/acme/tool/blobs/uploads/", null).status()).isEqualTo(401);
        assertThat(asAlice.delete("/api/v1/orgs/acme/members/bobby").status()).isEqualTo(204);
    }

    @Test
    void aRepositoryMadePrivateEndsAnonymousTokensForIt() {
        pushImage(alice(), "alice/flip", "v1", 1);
        makePublic("alice/flip");
        String anonymousToken = tokenResponse(anonymous(), "repository:alice/flip:pull").path("token").asText();
        assertThat(anonymous().bearer(anonymousToken).get("/v2/alice/flip/manifests/v1").status()).isEqualTo(200);
        server.wharf().repositories().setPrivate(repository("alice/flip"), true);
        assertThat(anonymous().bearer(anonymousToken).get("/v2/alice/flip/manifests/v1").status()).isEqualTo(401);
    }

    @Test
    void sessionAndRegistryTokensAreNotInterchangeable() {
        String registryToken = tokenResponse(alice(), "repository:alice/private:pull").path("token").asText();
        assertThat(hub().bearer(registryToken).get("/v2/access-tokens").status()).isEqualTo(401);
        assertThat(anonymous().bearer(aliceSession).get("/v2/alice/private/manifests/v1").status()).isEqualTo(401);
        assertThat(anonymous().bearer(aliceSession).get("/v2/").status()).isEqualTo(401);
        String access = hub().post("/v2/auth/token", Map.of("identifier", "alice", "secret", PASSWORD)).json()
                .path("access_token").asText();
        assertThat(anonymous().bearer(access).get("/v2/").status()).isEqualTo(401);
    }

    @Test
    void registryTokensExpireWithTheClock() {
        String jwt = tokenResponse(alice(), "repository:alice/private:pull").path("token").asText();
        assertThat(anonymous().bearer(jwt).get("/v2/alice/private/manifests/v1").status()).isEqualTo(200);
        clock.advance(RegistryTokens.TTL.plusSeconds(31));
        assertThat(anonymous().bearer(jwt).get("/v2/alice/private/manifests/v1").status()).isEqualTo(401);
    }

    @Test
    void theChallengeOfACrossRepositoryMountNamesTheSourceSoAClientAskingForItCanMount() {
        Image image = pushImage(alice(), "alice/mount-source", "v1", 1);
        String layer = RegistryClient.digest(image.blobs().get(1));
        String path = "/v2/alice/mount-target/blobs/uploads/?mount=" + layer + "&from=alice/mount-source";
        RegistryClient.Res challenge = anonymous().post(path, null);
        assertThat(challenge.status()).isEqualTo(401);
        String header = challenge.header("WWW-Authenticate");
        assertThat(header).contains("scope=\"repository:alice/mount-target:pull,push repository:alice/mount-source:pull\"");
        String scope = header.substring(header.indexOf("scope=\"") + 7, header.indexOf('"', header.indexOf("scope=\"") + 7));
        String jwt = tokenResponse(alice(), scope.split(" ")).path("token").asText();
        RegistryClient.Res mounted = anonymous().bearer(jwt).post(path, null);
        assertThat(mounted.status()).as(mounted.toString()).isEqualTo(201);
        assertThat(mounted.header("Docker-Content-Digest")).isEqualTo(layer);
    }

    @Test
    void aTokenRequestMayAskForAtMostThirtyTwoScopes() {
        String[] scopes = new String[33];
        for (int i = 0; i < scopes.length; i++) {
            scopes[i] = "repository:alice/r" + i + ":pull";
        }
        StringBuilder q = new StringBuilder("/token?service=test");
        for (String s : scopes) {
            q.append("&scope=").append(s);
        }
        RegistryClient.Res many = alice().get(q.toString());
        assertThat(many.status()).isEqualTo(400);
        assertThat(many.code()).isEqualTo("UNSUPPORTED");
        assertThat(granted(alice(), java.util.Arrays.copyOf(scopes, 32))).hasSizeLessThanOrEqualTo(32);
        String flood = "grant_type=password&username=alice&password=" + URLEncoder.encode(alicePat,
                StandardCharsets.UTF_8) + "&scope=" + "repository:alice/x:pull+".repeat(50_000);
        RegistryClient.Res form = anonymous().post("/token", flood.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.status()).isIn(400, 413);
        assertThat(form.code()).isNotEmpty();
    }
}
