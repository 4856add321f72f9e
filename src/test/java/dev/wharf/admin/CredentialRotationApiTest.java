package dev.wharf.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.Account;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Scope;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/credentials/{uuid}/rotate}: a new secret once, a bounded grace window, owners only. */
abstract class CredentialRotationApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    private record User(String name, Http http) {
    }

    private User newUser() {
        String name = uniqueName("rot");
        return new User(name, server.http().bearer(Sessions.newUser(server, name, PASSWORD)));
    }

    /** A PAT through the Hub: its uuid and secret. */
    private static String[] pat(User user, String label) {
        JsonNode t = user.http().post("/v2/access-tokens", Map.of("token_label", label, "scopes",
                List.of("repo:read"))).json();
        return new String[] {t.get("uuid").asText(), t.get("token").asText()};
    }

    private int signIn(String identifier, String secret) {
        return server.http().post("/v2/auth/token", Map.of("identifier", identifier, "secret", secret)).status();
    }

    private static String rotate(String uuid) {
        return "/api/v1/credentials/" + uuid + "/rotate";
    }

    @Test
    void rotationAnswersTheNewSecretOnceAndKeepsTheOldOneForTheGraceWindow() {
        User user = newUser();
        String[] old = pat(user, "ci");
        Http.Response r = user.http().post(rotate(old[0]) + "?grace=1h", null);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        JsonNode body = r.json();
        String secret = body.get("token").asText();
        assertThat(secret).matches("wharf_pat_[0-9A-Za-z]{42}").isNotEqualTo(old[1]);
        assertThat(body.get("uuid").asText()).isNotEqualTo(old[0]);
        assertThat(body.get("rotated_from").asText()).isEqualTo(old[0]);
        assertThat(body.get("name").asText()).isEqualTo("ci");
        assertThat(body.get("owner").asText()).isEqualTo(user.name());
        assertThat(body.get("kind").asText()).isEqualTo("personal");
        assertThat(body.get("expires_at").isNull()).isTrue();
        assertThat(Duration.between(OffsetDateTime.parse(body.get("created_at").asText()),
                OffsetDateTime.parse(body.get("previous_valid_until").asText()))).isEqualTo(Duration.ofHours(1));

        assertThat(signIn(user.name(), secret)).isEqualTo(200);
        assertThat(signIn(user.name(), old[1])).as("within the grace window").isEqualTo(200);
        clock.advance(Duration.ofMinutes(61));
        assertThat(signIn(user.name(), old[1])).as("after the grace window").isEqualTo(401);
        assertThat(signIn(user.name(), secret)).isEqualTo(200);

        Http.Response listed = user.http().get("/v2/access-tokens/" + body.get("uuid").asText());
        assertThat(listed.body()).doesNotContain(secret);
        Http.Response again = user.http().post(rotate(old[0]), null);
        assertThat(again.status()).as("an old one rotates only once").isEqualTo(400);
        assertThat(again.json().get("message").asText()).isNotBlank();

        List<String> actions = new ArrayList<>();
        user.http().get("/v2/auditlogs/" + user.name()).json().get("logs")
                .forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).contains("user.access_token.rotate");
    }

    @Test
    void withoutGraceTheOldSecretStopsAtOnceAndExpiryComesFromTheBody() {
        User user = newUser();
        String[] old = pat(user, "strict");
        String expires = OffsetDateTime.now(clock).plusDays(7).withNano(0).atZoneSameInstant(ZoneOffset.UTC)
                .toOffsetDateTime().toString();
        Http.Response r = user.http().post(rotate(old[0]), Map.of("expires_at", expires));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(OffsetDateTime.parse(r.json().get("expires_at").asText()).toInstant())
                .isEqualTo(OffsetDateTime.parse(expires).toInstant());
        assertThat(signIn(user.name(), old[1])).isEqualTo(401);
        assertThat(signIn(user.name(), r.json().get("token").asText())).isEqualTo(200);
    }

    @Test
    void badExpiryAndGraceAre400WithTheField() {
        User user = newUser();
        String uuid = pat(user, "bad")[0];
        record Case(String query, Object body, String field) {
        }
        for (Case c : List.of(new Case("?grace=25h", null, "grace"), new Case("?grace=-1h", null, "grace"),
                new Case("?grace=soon", null, "grace"), new Case("?grace=" + "9".repeat(40) + "h", null, "grace"),
                new Case("", Map.of("grace", "2d"), "grace"), new Case("", Map.of("grace", 5), "grace"),
                new Case("?expires_at=2020-01-01", null, "expires_at"),
                new Case("", Map.of("expires_at", "tomorrow"), "expires_at"),
                new Case("", "{broken", "body"), new Case("", "[1]", "body"))) {
            Http.Response r = user.http().post(rotate(uuid) + c.query(), c.body());
            assertThat(r.status()).as("%s -> %s", c, r).isEqualTo(400);
            assertThat(r.json().get("fields").has(c.field())).as("%s -> %s", c, r).isTrue();
        }
        assertThat(user.http().post(rotate(uuid) + "?grace=24h", null).status()).isEqualTo(201);
    }

    @Test
    void orgOwnersRotateTheOrgsRobotsAndNobodyElseSeesThem() {
        User owner = newUser();
        User member = newUser();
        User stranger = newUser();
        String org = uniqueName("rorg");
        assertThat(owner.http().post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        assertThat(owner.http().put("/api/v1/orgs/" + org + "/members/" + member.name(), Map.of("role", "editor"))
                .status()).isEqualTo(200);
        JsonNode robot = owner.http().post("/v2/orgs/" + org + "/access-tokens", Map.of("label", "deploy",
                "resources", List.of(Map.of("type", "TYPE_REPO", "path", org + "/app",
                        "scopes", List.of("scope-image-pull"))))).json();
        String robotUuid = robot.get("id").asText();
        String ownersPat = pat(owner, "own")[0];

        for (User other : List.of(member, stranger)) {
            for (String uuid : List.of(robotUuid, ownersPat)) {
                Http.Response r = other.http().post(rotate(uuid), null);
                assertThat(r.status()).as("%s", r).isEqualTo(404);
                assertThat(r.body()).isEqualTo(other.http().post(rotate("00000000-0000-0000-0000-000000000000"),
                        null).body());
            }
        }
        for (String bad : List.of("not-a-uuid", "%27%20OR%201=1--", "1-1-1-1-1")) {
            assertThat(owner.http().post(rotate(bad), null).status()).as(bad).isEqualTo(404);
        }
        Http.Response r = owner.http().post(rotate(robotUuid) + "?grace=10m", null);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().get("kind").asText()).isEqualTo("robot");
        assertThat(r.json().get("owner").asText()).isEqualTo(org);
        assertThat(r.json().get("token").asText()).startsWith("wharf_oat_");
        assertThat(signIn(org, r.json().get("token").asText())).isEqualTo(200);
        assertThat(signIn(org, robot.get("token").asText())).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        owner.http().get("/v2/auditlogs/" + org).json().get("logs").forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).contains("org.access_token.rotate");
    }

    @Test
    void aTokenSessionNeedsTheApiScopeAndAnonymousCallersAre401() {
        User user = newUser();
        String[] target = pat(user, "target");
        String[] repoOnly = pat(user, "repo-only");
        Http repoSession = server.http().bearer(Sessions.login(server.http(), user.name(), repoOnly[1]));
        Http.Response refused = repoSession.post(rotate(target[0]), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("message").asText()).isNotBlank();

        Account account = server.wharf().accounts().find(user.name()).orElseThrow();
        String apiSecret = server.wharf().credentials().create(account,
                Credentials.Draft.personal("api", null, List.of(Scope.API), null),
                new Credentials.Origin("127.0.0.1", "test", "TEST"), account.asActor(), false).secret();
        Http apiSession = server.http().bearer(Sessions.login(server.http(), user.name(), apiSecret));
        assertThat(apiSession.post(rotate(target[0]), null).status()).isEqualTo(201);

        for (Http anonymous : List.of(server.http(), server.http().bearer("garbage"))) {
            Http.Response r = anonymous.post(rotate(repoOnly[0]), null);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().get("message").asText()).isNotBlank();
        }
    }
}
