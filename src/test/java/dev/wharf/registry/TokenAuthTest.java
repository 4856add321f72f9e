package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token endpoint and bearer tokens: the grant is exactly asked ∩ what the account may ∩ what the credential
 * allows, and a token made from a PAT stops working as soon as the PAT does.
 */
abstract class TokenAuthTest extends RegistryTestBase {

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
    static Map<String, TreeSet<String>> grants(String jwt) {
        try {
            JsonNode claims = RegistryClient.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
            Map<String, TreeSet<String>> out = new java.util.TreeMap<>();
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

    Map<String, TreeSet<String>> granted(RegistryClient client, String... scopes) {
        return grants(tokenResponse(client, scopes).path("token").asText());
    }

    static TreeSet<String> set(String... actions) {
        return new TreeSet<>(List.of(actions));
    }

    @Test
    void responseShape() {
        JsonNode r = tokenResponse(alice(), "repository:alice/private:pull");
        assertThat(r.path("token").asText()).isNotEmpty().isEqualTo(r.path("access_token").asText());
        assertThat(r.path("expires_in").asInt()).isEqualTo(300);
        assertThat(Instant.parse(r.path("issued_at").asText())).isBefore(Instant.now().plusSeconds(5));
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
        List<TreeSet<String>> expected = List.of(set("pull"), set("pull", "push"), set("delete", "pull", "push"));
        for (int i = 0; i < roles.length; i++) {
            assertThat(asAlice.put("/api/v1/orgs/acme/members/bobby", Map.of("role", roles[i])).status())
                    .isEqualTo(200);
            waitForCaches();
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
        RegistryClient.Res r = anonymous().post("/token", form.getBytes(), "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(grants(r.json().path("access_token").asText()))
                .containsEntry("alice/private", set("pull", "push"));
        assertThat(r.json().path("scope").asText()).isEqualTo("repository:alice/private:pull,push");
        RegistryClient.Res refresh = anonymous().post("/token", "grant_type=refresh_token&refresh_token=x"
                .getBytes(), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(refresh.status()).isEqualTo(400);
        assertThat(refresh.json().path("error").asText()).isEqualTo("unsupported_grant_type");
        RegistryClient.Res bad = anonymous().post("/token", "grant_type=password&username=alice&password=nope"
                .getBytes(), "Content-Type", "application/x-www-form-urlencoded");
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
    void tokensOfAnExpiredPatStop() throws InterruptedException {
        String expiry = Instant.now().plusSeconds(3).toString();
        Http.Response r = hub().bearer(aliceSession).post("/v2/access-tokens", Map.of("token_label", "short-lived",
                "scopes", List.of("repo:read"), "expires_at", expiry));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        RegistryClient basic = anonymous().basic("alice", r.json().get("token").asText());
        String jwt = tokenResponse(basic, "repository:alice/private:pull").path("token").asText();
        assertThat(anonymous().bearer(jwt).get("/v2/alice/private/manifests/v1").status()).isEqualTo(200);
        Thread.sleep(Math.max(0, Instant.parse(expiry).toEpochMilli() - System.currentTimeMillis()) + 200);
        assertThat(anonymous().bearer(jwt).get("/v2/alice/private/manifests/v1").status()).isEqualTo(401);
        assertThat(basic.get("/v2/alice/private/manifests/v1").status()).isEqualTo(401);
    }

    @Test
    void multipleScopesInOneRequest() {
        Map<String, TreeSet<String>> g = granted(alice(), "repository:alice/private:pull",
                "repository:alice/public:push repository:alice/other:delete");
        assertThat(g).containsEntry("alice/private", set("pull")).containsEntry("alice/public", set("push"))
                .containsEntry("alice/other", set("delete"));
        List<String> names = new ArrayList<>(g.keySet());
        assertThat(names).hasSize(3);
    }

    /** Roles and repositories are cached for one second per node. */
    private static void waitForCaches() {
        try {
            Thread.sleep(1100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
