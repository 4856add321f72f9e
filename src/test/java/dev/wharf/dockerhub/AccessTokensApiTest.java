package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code /v2/access-tokens}: Docker Hub's fields, codes and error bodies, validated against Docker's spec. */
abstract class AccessTokensApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    private Http newUserSession() {
        String name = uniqueName("tok");
        return server.http().bearer(Sessions.newUser(server, name, PASSWORD)).header("User-Agent", "wharf-test/1.0");
    }

    @Test
    void createReturnsTheSecretOnceAndEveryLaterResponseBlanksIt() {
        Http user = newUserSession();
        Http.Response created = assertValid(user.post("/v2/access-tokens",
                Map.of("token_label", "My read only token", "scopes", List.of("repo:read"))));
        assertThat(created.status()).isEqualTo(201);
        JsonNode t = created.json();
        assertThat(t.get("token").asText()).matches("wharf_pat_[0-9A-Za-z]{42}");
        assertThat(t.get("client_id").asText()).isEqualTo("HUB");
        assertThat(t.get("creator_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(t.get("creator_ua").asText()).isEqualTo("wharf-test/1.0");
        assertThat(t.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        assertThat(t.get("last_used").isNull()).isTrue();
        assertThat(t.get("generated_by").asText()).isEqualTo("manual");
        assertThat(t.get("is_active").asBoolean()).isTrue();
        assertThat(t.get("token_label").asText()).isEqualTo("My read only token");
        assertThat(t.get("scopes")).hasSize(1);
        assertThat(t.get("scopes").get(0).asText()).isEqualTo("repo:read");
        assertThat(t.get("expires_at").isNull()).isTrue();

        String uuid = t.get("uuid").asText();
        String secret = t.get("token").asText();
        Http.Response got = assertValid(user.get("/v2/access-tokens/" + uuid));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("token").asText()).isEmpty();
        assertThat(got.body()).doesNotContain(secret);
        Http.Response list = assertValid(user.get("/v2/access-tokens"));
        assertThat(list.body()).doesNotContain(secret);
        assertThat(list.json().get("results").get(0).get("token").asText()).isEmpty();
    }

    @Test
    void theSecretFollowsThePublishedFormatAndIsStoredOnlyAsItsHash() {
        Http user = newUserSession();
        String secret = user.post("/v2/access-tokens", Map.of("token_label", "fmt", "scopes", List.of("repo:read")))
                .json().get("token").asText();
        String body = secret.substring(0, 46);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        long v = crc.getValue();
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            sum.insert(0, alphabet.charAt((int) (v % 62)));
            v /= 62;
        }
        assertThat(secret.substring(46)).isEqualTo(sum.toString());
        long plaintextRows = server.wharf().database().jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM credentials WHERE secret_sha256 = :s OR label = :s").bind("s", secret)
                .mapTo(Long.class).one());
        assertThat(plaintextRows).isZero();
    }

    @Test
    void expiresAtIsKeptAndMustBeInTheFuture() {
        Http user = newUserSession();
        String future = OffsetDateTime.now(ZoneOffset.UTC).plusDays(30).withNano(0).toString();
        Http.Response ok = assertValid(user.post("/v2/access-tokens",
                Map.of("token_label", "expiring", "scopes", List.of("repo:write"), "expires_at", future)));
        assertThat(ok.status()).isEqualTo(201);
        assertThat(OffsetDateTime.parse(ok.json().get("expires_at").asText()).toInstant())
                .isEqualTo(OffsetDateTime.parse(future).toInstant());

        Http.Response past = assertValid(user.post("/v2/access-tokens",
                Map.of("token_label", "past", "scopes", List.of("repo:read"), "expires_at", "2020-01-01T00:00:00Z")));
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.json().get("fields").has("expires_at")).isTrue();
        Http.Response garbage = user.post("/v2/access-tokens",
                Map.of("token_label", "bad", "scopes", List.of("repo:read"), "expires_at", "tomorrow"));
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.json().get("fields").has("expires_at")).isTrue();
    }

    @Test
    void validationErrorsUseTheValueErrorShape() {
        Http user = newUserSession();
        record Case(Object body, String field) {
        }
        List<Case> cases = List.of(
                new Case("{not json", "body"),
                new Case("[1,2]", "body"),
                new Case(Map.of("token_label", "x", "scopes", List.of("repo:everything")), "scopes"),
                new Case(Map.of("token_label", "x", "scopes", List.of()), "scopes"),
                new Case(Map.of("token_label", "x"), "scopes"),
                new Case(Map.of("token_label", "x", "scopes", "repo:read"), "scopes"),
                new Case(Map.of("token_label", "", "scopes", List.of("repo:read")), "token_label"),
                new Case(Map.of("token_label", "x".repeat(101), "scopes", List.of("repo:read")), "token_label"),
                new Case(Map.of("scopes", List.of("repo:read")), "token_label"),
                new Case(Map.of("token_label", 42, "scopes", List.of("repo:read")), "token_label"));
        for (Case c : cases) {
            Http.Response r = assertValid(user.post("/v2/access-tokens", c.body()));
            assertThat(r.status()).as("%s", c).isEqualTo(400);
            assertThat(r.json().get("fields").has(c.field())).as("%s -> %s", c, r).isTrue();
            assertThat(r.json().get("text").asText()).isNotBlank();
        }
        Http.Response ok = user.post("/v2/access-tokens",
                Map.of("token_label", "x".repeat(100), "scopes", List.of("repo:read")));
        assertThat(ok.status()).isEqualTo(201);
    }

    @Test
    void listIsNewestFirstWithAbsoluteLinksThatKeepOtherParameters() {
        Http user = newUserSession();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(user.post("/v2/access-tokens", Map.of("token_label", "t" + i, "scopes", List.of("repo:read")))
                    .json().get("uuid").asText());
        }
        String last = created.get(4);
        user.patch("/v2/access-tokens/" + last, Map.of("is_active", false));

        Http.Response first = assertValid(user.get("/v2/access-tokens?page_size=2&extra=keep%20me"));
        JsonNode p1 = first.json();
        assertThat(p1.get("count").asInt()).isEqualTo(5);
        assertThat(p1.get("active_count").asInt()).isEqualTo(4);
        assertThat(p1.get("previous").isNull()).isTrue();
        assertThat(p1.get("results").get(0).get("uuid").asText()).isEqualTo(last);
        String next = p1.get("next").asText();
        assertThat(next).startsWith(server.url() + "/v2/access-tokens?").contains("page=2").contains("page_size=2")
                .contains("extra=keep");

        Http.Response second = assertValid(user.get(next.substring(server.url().length())));
        assertThat(second.json().get("previous").asText()).contains("page=1");
        Http.Response third = assertValid(user.get("/v2/access-tokens?page=3&page_size=2"));
        assertThat(third.json().get("next").isNull()).isTrue();
        assertThat(third.json().get("results")).hasSize(1);
        assertThat(third.json().get("results").get(0).get("uuid").asText()).isEqualTo(created.get(0));

        Set<String> seen = new HashSet<>();
        for (JsonNode page : List.of(p1, second.json(), third.json())) {
            page.get("results").forEach(t -> seen.add(t.get("uuid").asText()));
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void badPagingIsA400() {
        Http user = newUserSession();
        for (String q : List.of("page=0", "page=-1", "page=abc", "page_size=0", "page_size=101", "page_size=x")) {
            Http.Response r = assertValid(user.get("/v2/access-tokens?" + q));
            assertThat(r.status()).as(q).isEqualTo(400);
            assertThat(r.json().has("fields")).isTrue();
        }
        assertThat(user.get("/v2/access-tokens?page_size=100").status()).isEqualTo(200);
    }

    @Test
    void patchChangesOnlyLabelAndActiveFlag() {
        Http user = newUserSession();
        JsonNode t = user.post("/v2/access-tokens", Map.of("token_label", "before", "scopes", List.of("repo:read")))
                .json();
        String uuid = t.get("uuid").asText();
        Http.Response r = assertValid(user.patch("/v2/access-tokens/" + uuid,
                Map.of("token_label", "after", "is_active", false, "scopes", List.of("repo:admin"))));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("token_label").asText()).isEqualTo("after");
        assertThat(r.json().get("is_active").asBoolean()).isFalse();
        assertThat(r.json().get("scopes").get(0).asText()).isEqualTo("repo:read");
        assertThat(r.json().get("token").asText()).isEmpty();
        assertThat(r.json().get("created_at").asText()).isEqualTo(t.get("created_at").asText());

        assertThat(assertValid(user.patch("/v2/access-tokens/" + uuid, Map.of("token_label", ""))).status())
                .isEqualTo(400);
        assertThat(assertValid(user.patch("/v2/access-tokens/" + uuid, Map.of("is_active", "yes"))).status())
                .isEqualTo(400);
        assertThat(assertValid(user.patch("/v2/access-tokens/" + uuid, "{oops")).status()).isEqualTo(400);
    }

    @Test
    void deleteIs204WithEmptyBodyAndTheTokenNeverAuthenticatesAgain() {
        String name = uniqueName("del");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        JsonNode t = user.post("/v2/access-tokens", Map.of("token_label", "gone", "scopes", List.of("repo:read")))
                .json();
        String secret = t.get("token").asText();
        assertThat(server.http().post("/v2/users/login", Map.of("username", name, "password", secret)).status())
                .isEqualTo(200);

        Http.Response deleted = assertValid(user.delete("/v2/access-tokens/" + t.get("uuid").asText()));
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(server.http().post("/v2/users/login", Map.of("username", name, "password", secret)).status())
                .isEqualTo(401);
        assertThat(user.get("/v2/access-tokens/" + t.get("uuid").asText()).status()).isEqualTo(404);
        assertThat(user.delete("/v2/access-tokens/" + t.get("uuid").asText()).status()).isEqualTo(404);
    }

    @Test
    void foreignUnknownAndMalformedUuidsAreAll404WithoutAHint() {
        Http alice = newUserSession();
        Http bob = newUserSession();
        String alicesToken = alice.post("/v2/access-tokens", Map.of("token_label", "mine", "scopes",
                List.of("repo:read"))).json().get("uuid").asText();
        List<String> paths = List.of(alicesToken, "00000000-0000-0000-0000-000000000000", "not-a-uuid", "1-1-1-1-1",
                "%27%20OR%201=1--");
        for (String id : paths) {
            for (Http.Response r : List.of(bob.get("/v2/access-tokens/" + id),
                    bob.patch("/v2/access-tokens/" + id, Map.of("token_label", "stolen")),
                    bob.delete("/v2/access-tokens/" + id))) {
                assertValid(r);
                assertThat(r.status()).as("%s", r).isEqualTo(404);
                assertThat(r.body()).isEqualTo(bob.get("/v2/access-tokens/" + paths.get(1)).body());
            }
        }
        assertThat(alice.get("/v2/access-tokens/" + alicesToken).json().get("token_label").asText()).isEqualTo("mine");
    }

    @Test
    void missingOrBadCredentialsAre401WithDetailAndMessage() {
        for (Http http : List.of(server.http(), server.http().bearer("garbage"),
                server.http().header("Authorization", "Basic YWRtaW46YWRtaW4="),
                server.http().bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."))) {
            for (Http.Response r : List.of(http.get("/v2/access-tokens"),
                    http.post("/v2/access-tokens", Map.of("token_label", "x", "scopes", List.of("repo:read"))),
                    http.get("/v2/access-tokens/00000000-0000-0000-0000-000000000000"))) {
                assertValid(r);
                assertThat(r.status()).isEqualTo(401);
                assertThat(r.json().get("detail").asText()).isNotBlank();
                assertThat(r.json().get("message").asText()).isNotBlank();
            }
        }
    }

    @Test
    void sessionsMadeFromATokenCannotManageTokens() {
        String name = uniqueName("pats");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        String secret = user.post("/v2/access-tokens", Map.of("token_label", "admin", "scopes",
                List.of("repo:admin"))).json().get("token").asText();
        Http patSession = server.http().bearer(Sessions.login(server.http(), name, secret));
        String accessJwt = server.http().post("/v2/auth/token", Map.of("identifier", name, "secret", secret))
                .json().get("access_token").asText();
        for (Http http : List.of(patSession, server.http().bearer(accessJwt))) {
            assertThat(http.get("/v2/access-tokens").status()).isEqualTo(403);
            assertThat(http.post("/v2/access-tokens", Map.of("token_label", "x", "scopes", List.of("repo:read")))
                    .status()).isEqualTo(403);
            Http.Response r = assertValid(http.get("/v2/access-tokens"));
            assertThat(r.json().get("detail").asText()).isNotBlank();
        }
    }
}
