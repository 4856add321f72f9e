package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One credential, two APIs, the real registry client: a token created through the Docker Hub API and rotated
 * through the GitLab API works in skopeo with its new secret, and with the old one only within the grace window.
 */
@Timeout(600)
abstract class RotationAcrossDialectsTest extends RegistryTestBase {
    private final ManualClock clock = new ManualClock();

    @TempDir
    Path tmp;

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected boolean needsSkopeo() {
        return true;
    }

    @Test
    void aHubTokenRotatedThroughGitlabPushesWithTheNewSecretAndWithTheOldOneOnlyWithinTheGraceWindow() {
        Http alice = hub().bearer(aliceSession);
        String old = hubToken(alice, "ci-graceful");
        Http.Response rotated = alice.post("/api/v4/personal_access_tokens/" + gitlabId(alice, "ci-graceful")
                + "/rotate?grace=1h", Map.of());
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String fresh = rotated.json().get("token").asText();
        assertThat(fresh).startsWith("wharf_pat_").isNotEqualTo(old);

        Path image = layout("graceful", 11);
        assertPush(image, "alice/rotated:new", fresh, true);
        assertPush(image, "alice/rotated:old-in-grace", old, true);

        clock.advance(Duration.ofMinutes(61));
        assertPush(image, "alice/rotated:old-after-grace", old, false);
        assertPush(image, "alice/rotated:new-later", fresh, true);
        Skopeo.Result pull = Skopeo.pull(host() + "/alice/rotated:new", tmp.resolve("pulled"), "new", "alice:" + fresh);
        assertThat(pull.ok()).as(pull.toString()).isTrue();

        // The Hub shows both rows: the rotated one inactive for good, the new one active under the same label.
        JsonNode list = alice.get("/v2/access-tokens?page_size=100").json().get("results");
        assertThat(list.findValues("token_label").stream().filter(l -> l.asText().equals("ci-graceful")).count())
                .isEqualTo(2);
        Http.Response reactivate = alice.patch("/v2/access-tokens/" + uuidOfInactive(list, "ci-graceful"),
                Map.of("is_active", true));
        assertThat(reactivate.status()).as(reactivate.toString()).isEqualTo(400);
    }

    @Test
    void withoutAGraceWindowTheOldSecretStopsAtOnce() {
        Http alice = hub().bearer(aliceSession);
        String old = hubToken(alice, "ci-abrupt");
        Path image = layout("abrupt", 12);
        assertPush(image, "alice/abrupt:before", old, true);
        Http.Response rotated = alice.post("/api/v4/personal_access_tokens/" + gitlabId(alice, "ci-abrupt")
                + "/rotate", Map.of());
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        assertPush(image, "alice/abrupt:old", old, false);
        assertPush(image, "alice/abrupt:new", rotated.json().get("token").asText(), true);
    }

    private String host() {
        return "127.0.0.1:" + server.port();
    }

    private Path layout(String name, long seed) {
        Path dir = tmp.resolve(name);
        OciLayout.write(dir, "latest", List.of(OciLayout.layer(seed, 50_000)));
        return dir;
    }

    private void assertPush(Path image, String destination, String secret, boolean works) {
        Skopeo.Result push = Skopeo.push(image, "latest", host() + "/" + destination, "alice:" + secret);
        assertThat(push.ok()).as(destination + ": " + push).isEqualTo(works);
    }

    private static String hubToken(Http session, String label) {
        Http.Response created = session.post("/v2/access-tokens", Map.of("token_label", label,
                "scopes", List.of("repo:write")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asText();
    }

    /** The GitLab id of the caller's live token with this name, read through the GitLab API. */
    private static long gitlabId(Http session, String name) {
        Http.Response list = session.get("/api/v4/personal_access_tokens?state=active&search=" + name);
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(list.json()).hasSize(1);
        return list.json().get(0).get("id").asLong();
    }

    private static String uuidOfInactive(JsonNode results, String label) {
        for (JsonNode t : results) {
            if (t.get("token_label").asText().equals(label) && !t.get("is_active").asBoolean()) {
                return t.get("uuid").asText();
            }
        }
        throw new AssertionError("no inactive token labelled " + label + " in " + results);
    }
}
