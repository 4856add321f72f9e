package dev.wharf.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.audit.Actor;
import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Rotation with a grace window: the old secret keeps working, on the Hub and the registry, until the window ends and
 * not a moment after; the rotation and the window's end are audited, the end once whoever gets there first. Windows
 * longer than a day are refused.
 */
abstract class GraceWindowTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final Credentials.Origin ORIGIN = new Credentials.Origin("127.0.0.1", "test", "TEST");

    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    /** A user with a session and a PAT. */
    private record Owner(String name, String session, String uuid, String secret) {
    }

    private Owner owner() {
        String name = uniqueName("grace");
        String session = Sessions.newUser(server, name, PASSWORD);
        Http.Response r = server.http().bearer(session).post("/v2/access-tokens",
                Map.of("token_label", "ci", "scopes", List.of("repo:read")));
        assertThat(r.status()).isEqualTo(201);
        return new Owner(name, session, r.json().get("uuid").asText(), r.json().get("token").asText());
    }

    private Credentials credentials() {
        return server.wharf().credentials();
    }

    private Credential credential(String uuid) {
        return credentials().find(UUID.fromString(uuid)).orElseThrow();
    }

    private Credentials.Created rotate(Owner o, Duration grace) {
        return credentials().rotate(credential(o.uuid()), null, grace, ORIGIN, Actor.SYSTEM);
    }

    private int hubLogin(String user, String secret) {
        return server.http().post("/v2/users/login", Map.of("username", user, "password", secret)).status();
    }

    private int registry(String user, String secret) {
        return server.http().header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + secret).getBytes(StandardCharsets.UTF_8))).get("/v2/").status();
    }

    /** The owner's audit events of one action, newest first. */
    private List<JsonNode> audited(Owner o, String action) {
        List<JsonNode> out = new ArrayList<>();
        Http.Response r = server.http().bearer(Sessions.login(server.http(), o.name(), PASSWORD))
                .get("/v2/auditlogs/" + o.name());
        assertThat(r.status()).isEqualTo(200);
        r.json().get("logs").forEach(l -> {
            if (l.get("action").asText().equals(action)) {
                out.add(l);
            }
        });
        return out;
    }

    @Test
    void theOldSecretWorksUntilTheWindowEndsAndNotAfter() {
        Owner o = owner();
        Credentials.Created rotated = rotate(o, Duration.ofHours(1));
        for (String secret : List.of(o.secret(), rotated.secret())) {
            assertThat(credentials().authenticate(secret)).isPresent();
            assertThat(hubLogin(o.name(), secret)).isEqualTo(200);
            assertThat(registry(o.name(), secret)).isEqualTo(200);
        }

        clock.advance(Duration.ofMinutes(59));
        assertThat(credentials().authenticate(o.secret())).isPresent();
        assertThat(hubLogin(o.name(), o.secret())).isEqualTo(200);
        assertThat(registry(o.name(), o.secret())).isEqualTo(200);
        String jwt = server.http().header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (o.name() + ":" + o.secret()).getBytes(StandardCharsets.UTF_8)))
                .get("/token?service=wharf").json().get("token").asText();
        assertThat(server.http().bearer(jwt).get("/v2/").status()).isEqualTo(200);

        clock.advance(Duration.ofMinutes(1));
        assertThat(credentials().authenticate(o.secret())).as("the window's last instant").isEmpty();
        assertThat(hubLogin(o.name(), o.secret())).isEqualTo(401);
        assertThat(registry(o.name(), o.secret())).isEqualTo(401);
        assertThat(server.http().bearer(jwt).get("/v2/").status()).as("a registry token made from it")
                .isEqualTo(401);
        assertThat(hubLogin(o.name(), rotated.secret())).isEqualTo(200);
        assertThat(registry(o.name(), rotated.secret())).isEqualTo(200);
    }

    @Test
    void theRotationAndTheEndOfTheWindowAreEachAuditedOnce() {
        Owner o = owner();
        Credentials.Created rotated = rotate(o, Duration.ofMinutes(30));
        List<JsonNode> rotations = audited(o, "user.access_token.rotate");
        assertThat(rotations).hasSize(1);
        assertThat(rotations.get(0).get("data").get("rotated_from").asText()).isEqualTo(o.uuid());
        assertThat(rotations.get(0).get("data").get("uuid").asText())
                .isEqualTo(rotated.credential().uuid().toString());
        assertThat(rotations.get(0).get("data").get("grace_seconds").asText()).isEqualTo("1800");

        clock.advance(Duration.ofMinutes(29));
        server.wharf().credentialUpkeep().runNow();
        assertThat(audited(o, "user.access_token.grace_end")).as("the window is still open").isEmpty();

        clock.advance(Duration.ofMinutes(2));
        server.wharf().credentialUpkeep().runNow();
        credentials().finishGraceWindows();
        server.wharf().credentialUpkeep().runNow();
        List<JsonNode> ends = audited(o, "user.access_token.grace_end");
        assertThat(ends).hasSize(1);
        assertThat(ends.get(0).get("data").get("uuid").asText()).isEqualTo(o.uuid());
        assertThat(ends.get(0).get("actor").asText()).isEqualTo("wharf");
        assertThat(audited(o, "user.access_token.grace_end").toString()).doesNotContain(o.secret())
                .doesNotContain(rotated.secret());
    }

    @Test
    void withoutAGraceWindowTheOldSecretStopsAtOnceAndNoWindowEndIsAudited() {
        Owner o = owner();
        Credentials.Created rotated = rotate(o, Duration.ZERO);
        assertThat(credentials().authenticate(o.secret())).isEmpty();
        assertThat(hubLogin(o.name(), o.secret())).isEqualTo(401);
        assertThat(registry(o.name(), o.secret())).isEqualTo(401);
        assertThat(hubLogin(o.name(), rotated.secret())).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        server.wharf().credentialUpkeep().runNow();
        assertThat(audited(o, "user.access_token.grace_end")).isEmpty();
        assertThat(audited(o, "user.access_token.rotate").get(0).get("data").get("grace_seconds").asText())
                .isEqualTo("0");
    }

    @Test
    void aWindowLongerThanADayOrNegativeIsRefusedAndChangesNothing() {
        Owner o = owner();
        for (Duration grace : List.of(Duration.ofHours(24).plusSeconds(1), Duration.ofDays(7),
                Duration.ofSeconds(-1))) {
            assertThatThrownBy(() -> rotate(o, grace)).as("%s", grace)
                    .isInstanceOfSatisfying(DomainException.Invalid.class,
                            e -> assertThat(e.fields()).containsKey("grace"));
        }
        assertThat(credential(o.uuid()).isRetired()).isFalse();
        assertThat(audited(o, "user.access_token.rotate")).isEmpty();
        assertThat(hubLogin(o.name(), o.secret())).isEqualTo(200);

        Credentials.Created rotated = rotate(o, Duration.ofHours(24));
        clock.advance(Duration.ofHours(24).minusSeconds(1));
        assertThat(hubLogin(o.name(), o.secret())).isEqualTo(200);
        assertThat(hubLogin(o.name(), rotated.secret())).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(hubLogin(o.name(), o.secret())).isEqualTo(401);
    }

    @Test
    void aSecretInItsWindowCannotBeRotatedAgain() {
        Owner o = owner();
        rotate(o, Duration.ofHours(1));
        assertThatThrownBy(() -> rotate(o, Duration.ofHours(1)))
                .isInstanceOfSatisfying(DomainException.Invalid.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CREDENTIAL_REVOKED));
        assertThat(audited(o, "user.access_token.rotate")).hasSize(1);
    }
}
