package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@code /v2/users/login}, {@code /v2/auth/token}, session schemes, PAT-derived sessions and brute-force limits. */
abstract class SignInApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    @Override
    protected WharfConfig configure(WharfConfig config) {
        // Loopback is a trusted proxy here, so tests can speak for different client addresses via X-Forwarded-For.
        return config.toBuilder().trustedProxies(List.of("127.0.0.1")).build();
    }

    @Test
    void loginReturnsASessionThatWorksWithBearerAndLegacyJwtSchemes() {
        String name = uniqueName("login");
        Sessions.newUser(server, name, PASSWORD);
        Http.Response r = assertValid(server.http().post("/v2/users/login",
                Map.of("username", name, "password", PASSWORD)));
        assertThat(r.status()).isEqualTo(200);
        String jwt = r.json().get("token").asText();
        assertThat(server.http().header("Authorization", "Bearer " + jwt).get("/v2/access-tokens").status())
                .isEqualTo(200);
        assertThat(server.http().header("Authorization", "JWT " + jwt).get("/v2/access-tokens").status())
                .isEqualTo(200);
    }

    @Test
    void wrongCredentialsGetHubsExactLoginError() {
        String name = uniqueName("wrong");
        Sessions.newUser(server, name, PASSWORD);
        for (Map<String, String> body : List.of(Map.of("username", name, "password", "not-the-password"),
                Map.of("username", "nosuchuser", "password", PASSWORD), Map.of("username", name))) {
            Http.Response r = assertValid(server.http().post("/v2/users/login", body));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json()).isEqualTo(Json.obj("detail", "Incorrect authentication credentials"));
        }
        assertThat(server.http().post("/v2/users/login", "{broken").status()).isEqualTo(400);
    }

    @Test
    void authTokenIssuesATenMinuteAccessToken() throws Exception {
        String name = uniqueName("oauth");
        Sessions.newUser(server, name, PASSWORD);
        Http.Response r = assertValid(server.http().post("/v2/auth/token",
                Map.of("identifier", name, "secret", PASSWORD)));
        assertThat(r.status()).isEqualTo(200);
        String jwt = r.json().get("access_token").asText();
        SignedJWT parsed = SignedJWT.parse(jwt);
        Duration ttl = Duration.between(Instant.now(), parsed.getJWTClaimsSet().getExpirationTime().toInstant());
        assertThat(ttl).isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
        assertThat(server.http().bearer(jwt).get("/v2/auditlogs/" + name).status()).isEqualTo(200);

        Http.Response bad = assertValid(server.http().post("/v2/auth/token",
                Map.of("identifier", name, "secret", "wrong-password")));
        assertThat(bad.status()).isEqualTo(401);
    }

    @Test
    void aPatIsAcceptedAsThePasswordAndItsSessionDiesWithTheToken() throws InterruptedException {
        String name = uniqueName("patlogin");
        Http owner = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        JsonNode token = owner.post("/v2/access-tokens", Map.of("token_label", "ci", "scopes", List.of("repo:read")))
                .json();
        String secret = token.get("token").asText();
        String uuid = token.get("uuid").asText();
        Http patSession = server.http().bearer(Sessions.login(server.http(), name, secret));
        assertThat(patSession.get("/v2/auditlogs/" + name).status()).isEqualTo(200);
        server.wharf().bookkeeping().settle(); // last-used times are written in the background
        assertThat(owner.get("/v2/access-tokens/" + uuid).json().get("last_used").isNull()).isFalse();

        owner.patch("/v2/access-tokens/" + uuid, Map.of("is_active", false));
        assertThat(patSession.get("/v2/auditlogs/" + name).status()).isEqualTo(401);
        assertThat(server.http().post("/v2/users/login", Map.of("username", name, "password", secret)).status())
                .isEqualTo(401);

        owner.patch("/v2/access-tokens/" + uuid, Map.of("is_active", true));
        assertThat(patSession.get("/v2/auditlogs/" + name).status()).isEqualTo(200);
        owner.delete("/v2/access-tokens/" + uuid);
        assertThat(patSession.get("/v2/auditlogs/" + name).status()).isEqualTo(401);
    }

    @Test
    void aPatOnlySignsInItsOwnUser() {
        String alice = uniqueName("alice");
        String bob = uniqueName("bob");
        Http aliceSession = server.http().bearer(Sessions.newUser(server, alice, PASSWORD));
        Sessions.newUser(server, bob, PASSWORD);
        String secret = aliceSession.post("/v2/access-tokens", Map.of("token_label", "a", "scopes",
                List.of("repo:admin"))).json().get("token").asText();
        assertThat(server.http().post("/v2/users/login", Map.of("username", bob, "password", secret)).status())
                .isEqualTo(401);
    }

    @Test
    void aMalformedPatIsRefusedWithoutBeingLookedUp() {
        String name = uniqueName("malf");
        Sessions.newUser(server, name, PASSWORD);
        String wrongChecksum = "wharf_pat_" + "A".repeat(36) + "000000";
        Http.Response r = server.http().post("/v2/users/login", Map.of("username", name, "password", wrongChecksum));
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void tenFailuresFromOneAddressLockThatAddressOutButNotOthers() {
        String name = uniqueName("brute");
        Sessions.newUser(server, name, PASSWORD);
        Http attacker = server.http().header("X-Forwarded-For", "203.0.113.7");
        for (int i = 0; i < 10; i++) {
            assertThat(attacker.post("/v2/users/login", Map.of("username", name, "password", "guess-" + i)).status())
                    .isEqualTo(401);
        }
        Http.Response limited = attacker.post("/v2/users/login", Map.of("username", name, "password", PASSWORD));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json()).isEqualTo(Json.obj("detail", "Rate limit exceeded", "error", false));
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 301L);
        assertThat(limited.header("X-RateLimit-Limit")).isEqualTo("10");
        assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(Long.parseLong(limited.header("X-RateLimit-Reset")))
                .isGreaterThan(Instant.now().getEpochSecond());
        assertThat(attacker.post("/v2/auth/token", Map.of("identifier", name, "secret", PASSWORD)).status())
                .isEqualTo(429);

        Http realUser = server.http().header("X-Forwarded-For", "198.51.100.23");
        assertThat(realUser.post("/v2/users/login", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(200);

        Http admin = server.http().bearer(Sessions.adminSession(server));
        String owner = Sessions.login(server.http().header("X-Forwarded-For", "198.51.100.23"), name, PASSWORD);
        JsonNode logs = server.http().bearer(owner).get("/v2/auditlogs/" + name + "?action=user.login.failed")
                .json().get("logs");
        assertThat(logs).hasSize(10);
        assertThat(logs.get(0).get("data").get("ip").asText()).isEqualTo("203.0.113.7");
        assertThat(logs.toString()).doesNotContain("guess-");
        assertThat(admin.get("/api/v1/users").status()).isEqualTo(200);
    }

    @Test
    void parallelGuessesGetAtMostTenPasswordChecks() throws Exception {
        String name = uniqueName("burst");
        Sessions.newUser(server, name, PASSWORD);
        Http attacker = server.http().header("X-Forwarded-For", "203.0.113.99");
        ExecutorService pool = Executors.newFixedThreadPool(200);
        try {
            List<Callable<Integer>> guesses = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String guess = "parallel-guess-" + i;
                guesses.add(() -> attacker.post("/v2/users/login", Map.of("username", name, "password", guess))
                        .status());
            }
            Map<Integer, Long> statuses = new TreeMap<>();
            for (Future<Integer> f : pool.invokeAll(guesses)) {
                statuses.merge(f.get(), 1L, Long::sum);
            }
            assertThat(statuses.keySet()).containsOnly(401, 429);
            assertThat(statuses.getOrDefault(401, 0L)).isBetween(1L, 10L);
            assertThat(statuses.get(429)).isGreaterThanOrEqualTo(190L);
        } finally {
            pool.shutdownNow();
        }
        assertThat(attacker.post("/v2/users/login", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(429);
    }

    @Test
    void tokensSignInInParallelButCannotPassALockout() throws Exception {
        String name = uniqueName("patpar");
        String session = Sessions.newUser(server, name, PASSWORD);
        String secret = Sessions.newToken(server, session, "ci", "repo:read");
        Http ci = server.http().header("X-Forwarded-For", "203.0.113.120");
        ExecutorService pool = Executors.newFixedThreadPool(30);
        try {
            List<Callable<Integer>> logins = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                logins.add(() -> ci.post("/v2/users/login", Map.of("username", name, "password", secret)).status());
            }
            for (Future<Integer> f : pool.invokeAll(logins)) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        Http attacker = server.http().header("X-Forwarded-For", "203.0.113.121");
        String wrong = Sessions.newToken(server, Sessions.newUser(server, uniqueName("other"), PASSWORD), "x",
                "repo:read");
        for (int i = 0; i < 10; i++) {
            assertThat(attacker.post("/v2/users/login", Map.of("username", name, "password", wrong)).status())
                    .isEqualTo(401);
        }
        assertThat(attacker.post("/v2/users/login", Map.of("username", name, "password", secret)).status())
                .as("a right token from a locked-out address").isEqualTo(429);
        assertThat(attacker.post("/v2/users/login", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(429);
    }

    @Test
    void aNameThatCannotExistIsRefusedAtOnceAndNeverThrottled() {
        String huge = "u".repeat(500_000);
        Http client = server.http().header("X-Forwarded-For", "203.0.113.50");
        for (int i = 0; i < 12; i++) {
            Http.Response r = client.post("/v2/users/login", Map.of("username", huge, "password", "x"));
            assertThat(r.status()).isEqualTo(401);
        }
        assertThat(client.post("/v2/users/login", Map.of("username", "Not-A-Name!", "password", "x")).status())
                .isEqualTo(401);
    }

    @Test
    void bodiesPastTheLimitAre413AndParserBombsAre400InHubsShape() {
        Http.Response tooLarge = server.http().post("/v2/users/login",
                "{\"username\":\"" + "a".repeat(1_100_000) + "\"}");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().path("detail").asText()).contains("1048576");
        StringBuilder bomb = new StringBuilder("{");
        for (int i = 0; bomb.length() < 900_000; i++) {
            bomb.append("\"k").append(i).append("\":[0],");
        }
        bomb.append("\"username\":\"x\"}");
        Http.Response tokens = server.http().post("/v2/users/login", bomb.toString());
        assertThat(tokens.status()).isEqualTo(400);
        assertThat(tokens.json().path("text").asText()).contains("parser limit");
        Http.Response deep = server.http().post("/v2/users/login", "{\"a\":" + "[".repeat(5000) + "]".repeat(5000)
                + "}");
        assertThat(deep.status()).isEqualTo(400);
        assertThat(server.http().post("/v2/users/login", "[1]").json().path("fields").has("body")).isTrue();
        Http.Response typed = server.http().post("/v2/users/login", "{\"username\":5,\"password\":\"x\"}");
        assertThat(typed.status()).isEqualTo(400);
        assertThat(typed.json().path("fields").path("username").path(0).asText()).isEqualTo("Must be a string.");
    }

    @Test
    void creatorIpComesFromForwardedForOnlyViaTrustedProxies() {
        String name = uniqueName("fwd");
        Http user = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        Http.Response viaProxy = user.header("X-Forwarded-For", "192.0.2.10, 127.0.0.1")
                .post("/v2/access-tokens", Map.of("token_label", "p", "scopes", List.of("repo:read")));
        assertThat(viaProxy.json().get("creator_ip").asText()).isEqualTo("192.0.2.10");
        Http.Response forged = user.header("X-Forwarded-For", "not-an-ip")
                .post("/v2/access-tokens", Map.of("token_label", "f", "scopes", List.of("repo:read")));
        assertThat(forged.json().get("creator_ip").asText()).isEqualTo("127.0.0.1");
    }

    /** Tiny JSON literal builder for exact-body assertions. */
    static final class Json {
        static JsonNode obj(Object... kv) {
            com.fasterxml.jackson.databind.node.ObjectNode node =
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < kv.length; i += 2) {
                node.set((String) kv[i], new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(kv[i + 1]));
            }
            return node;
        }
    }
}
