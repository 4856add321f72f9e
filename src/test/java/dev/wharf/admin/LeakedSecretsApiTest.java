package dev.wharf.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.Account;
import dev.wharf.audit.Actor;
import dev.wharf.config.WharfConfig;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Resource;
import dev.wharf.credentials.TokenSecret;
import dev.wharf.repositories.Action;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/credentials/revoke}: anyone may report leaked secrets (as GitHub's credential revocation API);
 * the ones that are live are revoked at once everywhere and audited in their owner's log, and the answer is the same
 * whatever the report held. Reports are bounded and rate-limited per client address.
 */
abstract class LeakedSecretsApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String REVOKE = "/api/v1/credentials/revoke";
    /** Each test reports from its own address (through a trusted proxy), so their rate limits stay apart. */
    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected WharfConfig configure(WharfConfig config) {
        return config.toBuilder().trustedProxies(List.of("127.0.0.1")).build();
    }

    private Http reporter() {
        return server.http().header("X-Forwarded-For", "203.0.113." + ADDRESSES.incrementAndGet());
    }

    private static Http basic(Http http, String user, String secret) {
        return http.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    private int hubLogin(String user, String secret) {
        return server.http().post("/v2/users/login", Map.of("username", user, "password", secret)).status();
    }

    @Test
    void aReportedPatStopsWorkingOnTheRegistryAndTheHubAndTheOwnerSeesWhy() {
        String name = uniqueName("leak");
        String session = Sessions.newUser(server, name, PASSWORD);
        String secret = Sessions.newToken(server, session, "in a public repo", "repo:write");
        Http registry = basic(server.http(), name, secret);
        Http.Response token = registry.get("/token?service=wharf&scope=repository:" + name + "/app:pull");
        assertThat(token.status()).isEqualTo(200);
        Http bearer = server.http().bearer(token.json().get("token").asText());
        assertThat(hubLogin(name, secret)).isEqualTo(200);
        assertThat(registry.get("/v2/").status()).isEqualTo(200);
        assertThat(bearer.get("/v2/").status()).isEqualTo(200);

        Http.Response r = reporter().post(REVOKE, Map.of("credentials", List.of(secret)));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().isObject()).isTrue();
        assertThat(r.json().size()).isZero();

        assertThat(hubLogin(name, secret)).isEqualTo(401);
        assertThat(registry.get("/v2/").status()).isEqualTo(401);
        assertThat(bearer.get("/v2/").status()).as("a registry token made from it").isEqualTo(401);
        assertThat(registry.get("/token?service=wharf").status()).isEqualTo(401);

        Http owner = server.http().bearer(session);
        JsonNode listed = owner.get("/v2/access-tokens").json().get("results").get(0);
        assertThat(listed.get("is_active").asBoolean()).isFalse();
        assertThat(owner.patch("/v2/access-tokens/" + listed.get("uuid").asText(), Map.of("is_active", true))
                .status()).as("a leaked token cannot be switched back on").isEqualTo(400);
        List<JsonNode> revocations = revocations(owner, name, "user.access_token.revoke");
        assertThat(revocations).hasSize(1);
        assertThat(revocations.get(0).get("data").get("reason").asText()).isEqualTo("leaked");
        assertThat(revocations.get(0).get("data").get("uuid").asText()).isEqualTo(listed.get("uuid").asText());
        assertThat(owner.get("/v2/auditlogs/" + name).body()).doesNotContain(secret);

        assertThat(reporter().post(REVOKE, Map.of("credentials", List.of(secret))).status())
                .as("reported again").isEqualTo(202);
        assertThat(revocations(owner, name, "user.access_token.revoke")).hasSize(1);
    }

    private static List<JsonNode> revocations(Http owner, String account, String action) {
        List<JsonNode> out = new ArrayList<>();
        owner.get("/v2/auditlogs/" + account).json().get("logs").forEach(l -> {
            if (l.get("action").asText().equals(action)) {
                out.add(l);
            }
        });
        return out;
    }

    @Test
    void aReportedRobotSecretStopsWorkingAndIsAuditedInTheOrgsLog() {
        String name = uniqueName("own");
        String session = Sessions.newUser(server, name, PASSWORD);
        String org = uniqueName("org");
        assertThat(server.http().bearer(session).post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        Account account = server.wharf().accounts().org(org);
        Credentials.Created robot = server.wharf().credentials().create(account, Credentials.Draft.robot("ci", null,
                        List.of(new Resource(Resource.Kind.REPOSITORY, org + "/*", Set.of(Action.PULL))), null),
                new Credentials.Origin("127.0.0.1", "test", "TEST"), Actor.SYSTEM, true);
        Http registry = basic(server.http(), org, robot.secret());
        assertThat(registry.get("/v2/").status()).isEqualTo(200);

        assertThat(reporter().post(REVOKE, Map.of("credentials", List.of(robot.secret()))).status()).isEqualTo(202);
        assertThat(registry.get("/v2/").status()).isEqualTo(401);
        List<JsonNode> revocations = revocations(server.http().bearer(session), org, "org.access_token.revoke");
        assertThat(revocations).hasSize(1);
        assertThat(revocations.get(0).get("data").get("reason").asText()).isEqualTo("leaked");
    }

    @Test
    void theAnswerIsTheSameWhateverTheReportHeld() {
        String name = uniqueName("same");
        String session = Sessions.newUser(server, name, PASSWORD);
        String live = Sessions.newToken(server, session, "live", "repo:read");
        String revoked = Sessions.newToken(server, session, "revoked", "repo:read");
        assertThat(reporter().post(REVOKE, Map.of("credentials", List.of(revoked))).status()).isEqualTo(202);
        String unknown = TokenSecret.generate(TokenSecret.PAT_PREFIX);
        String badChecksum = live.substring(0, live.length() - 1) + (live.endsWith("A") ? "B" : "A");
        List<List<String>> reports = List.of(List.of(live), List.of(unknown), List.of(badChecksum), List.of(revoked),
                List.of(TokenSecret.generate(TokenSecret.ROBOT_PREFIX)), List.of("ghp_notours", "", "x".repeat(100)),
                List.of(unknown, live, unknown));
        List<String> answers = new ArrayList<>();
        for (List<String> report : reports) {
            Http.Response r = reporter().post(REVOKE, Map.of("credentials", report));
            answers.add(r.status() + " " + headers(r) + " " + r.body());
        }
        assertThat(answers.get(0)).startsWith("202 ");
        assertThat(Collections.frequency(answers, answers.get(0))).as("%s", answers).isEqualTo(answers.size());
        assertThat(hubLogin(name, live)).isEqualTo(401);
    }

    /** The response headers that could tell one answer from another (not the date or the request id). */
    private static Map<String, List<String>> headers(Http.Response r) {
        Map<String, List<String>> out = new TreeMap<>(r.raw().headers().map());
        out.remove("date");
        out.remove("x-request-id");
        return out;
    }

    @Test
    void noAuthenticationIsNeededAndNoneIsLookedAt() {
        String secret = TokenSecret.generate(TokenSecret.PAT_PREFIX);
        for (Http http : List.of(reporter(), reporter().bearer("garbage"), reporter().header("Authorization",
                "Basic YWRtaW46d3Jvbmc="))) {
            assertThat(http.post(REVOKE, Map.of("credentials", List.of(secret))).status()).isEqualTo(202);
        }
    }

    @Test
    void badReportsAre400sInTheAdminShape() {
        Http reporter = reporter();
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= AdminApi.MAX_LEAKED; i++) {
            many.add("wharf_pat_" + i);
        }
        List<Object> bodies = List.of("{not json", "[]", "{}", Map.of("credentials", List.of()),
                Map.of("credentials", "wharf_pat_x"), Map.of("credentials", List.of(42)),
                "{\"credentials\": [null]}", "{\"credentials\": null}", Map.of("credentials", many),
                Map.of("credentials", List.of("x".repeat(AdminApi.MAX_LEAKED_LENGTH + 1))));
        for (Object body : bodies) {
            Http.Response r = reporter.post(REVOKE, body);
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.json().get("message").asText()).as("%s", r).isNotBlank();
            assertThat(r.json().has("errinfo")).isTrue();
        }
        Http.Response fields = reporter.post(REVOKE, Map.of("credentials", List.of()));
        assertThat(fields.json().get("fields").has("credentials")).isTrue();
        String huge = "{\"credentials\": [\"" + "x".repeat(200_000) + "\"]}";
        Http.Response tooLarge = reporter.post(REVOKE, huge);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("message").asText()).isNotBlank();
        List<String> most = new ArrayList<>(many.subList(0, AdminApi.MAX_LEAKED));
        most.set(0, "x".repeat(AdminApi.MAX_LEAKED_LENGTH));
        assertThat(reporter.post(REVOKE, Map.of("credentials", most)).status()).isEqualTo(202);
        assertThat(reporter.get(REVOKE).status()).isEqualTo(405);
    }

    @Test
    void reportsAreRateLimitedPerClientAddressForAnHour() {
        Http reporter = reporter();
        Map<String, List<String>> report = Map.of("credentials", List.of(TokenSecret.generate(TokenSecret.PAT_PREFIX)));
        for (int i = 0; i < AdminApi.LEAK_REPORTS_PER_HOUR - 1; i++) {
            assertThat(reporter.post(REVOKE, report).status()).isEqualTo(202);
        }
        assertThat(reporter.post(REVOKE, "{bad").status()).as("bad reports count too").isEqualTo(400);
        Http.Response limited = reporter.post(REVOKE, report);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().get("message").asText()).isEqualTo("Rate limit exceeded");
        assertThat(limited.json().has("errinfo")).isTrue();
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 3601L);
        assertThat(reporter().post(REVOKE, report).status()).as("another address").isEqualTo(202);

        clock.advance(Duration.ofMinutes(59));
        assertThat(reporter.post(REVOKE, report).status()).isEqualTo(429);
        clock.advance(Duration.ofSeconds(retryAfter));
        assertThat(reporter.post(REVOKE, report).status()).isEqualTo(202);
    }
}
