package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.audit.Actor;
import dev.wharf.config.WharfConfig;
import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.Credentials;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The site's token rules ({@code --token-max-lifetime 30d --token-require-expiry}) over the Hub dialect: a token
 * without an expiry or beyond the limit is refused with Hub's 400 body, on creation and on rotation.
 */
abstract class TokenRulesApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    @Override
    protected WharfConfig configure(WharfConfig config) {
        return config.toBuilder().tokenMaxLifetime(Duration.ofDays(30)).tokenRequireExpiry(true).build();
    }

    private Http newUser() {
        return server.http().bearer(Sessions.newUser(server, uniqueName("rules"), PASSWORD));
    }

    private static String inDays(long days) {
        return OffsetDateTime.now(ZoneOffset.UTC).plusDays(days).withNano(0).toString();
    }

    private static void assertRefusedExpiry(Http.Response r) {
        assertValid(r);
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.json().get("fields").get("expires_at").get(0).asText()).isNotBlank();
        assertThat(r.json().get("text").asText()).isNotBlank();
        assertThat(r.json().has("detail")).isFalse();
    }

    @Test
    void aTokenWithoutAnExpiryIsRefused() {
        Http user = newUser();
        assertRefusedExpiry(user.post("/v2/access-tokens",
                Map.of("token_label", "forever", "scopes", List.of("repo:read"))));
        assertThat(user.get("/v2/access-tokens").json().get("count").asInt()).isZero();
    }

    @Test
    void anExpiryBeyondTheMaximumLifetimeIsRefused() {
        Http user = newUser();
        Http.Response r = user.post("/v2/access-tokens",
                Map.of("token_label", "long", "scopes", List.of("repo:read"), "expires_at", inDays(31)));
        assertRefusedExpiry(r);
        assertThat(r.json().get("text").asText()).contains(OffsetDateTime.now(ZoneOffset.UTC).plusDays(30)
                .toLocalDate().toString().substring(0, 7));
        Http.Response ok = assertValid(user.post("/v2/access-tokens",
                Map.of("token_label", "month", "scopes", List.of("repo:read"), "expires_at", inDays(29))));
        assertThat(ok.status()).isEqualTo(201);
    }

    @Test
    void theRulesHoldForRotationToo() {
        Http user = newUser();
        Http.Response created = user.post("/v2/access-tokens",
                Map.of("token_label", "rotating", "scopes", List.of("repo:read"), "expires_at", inDays(10)));
        assertThat(created.status()).isEqualTo(201);
        Credential c = server.wharf().credentials().find(UUID.fromString(created.json().get("uuid").asText()))
                .orElseThrow();
        Credentials.Origin origin = new Credentials.Origin("127.0.0.1", "test", "TEST");
        assertThatThrownBy(() -> server.wharf().credentials().rotate(c, null, Duration.ZERO, origin, Actor.SYSTEM))
                .isInstanceOfSatisfying(DomainException.Invalid.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRY_REQUIRED));
        assertThatThrownBy(() -> server.wharf().credentials().rotate(c, OffsetDateTime.now(ZoneOffset.UTC)
                        .plusDays(31), Duration.ZERO, origin, Actor.SYSTEM))
                .isInstanceOfSatisfying(DomainException.Invalid.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRY_TOO_LATE));
        assertThat(server.wharf().credentials().rotate(c, OffsetDateTime.now(ZoneOffset.UTC).plusDays(30)
                .minusMinutes(1), Duration.ZERO, origin, Actor.SYSTEM).secret()).startsWith("wharf_pat_");
    }
}
