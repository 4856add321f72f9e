package dev.wharf.ionos;

import static dev.wharf.testing.IonosSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.registry.OciLayout;
import dev.wharf.registry.Skopeo;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Across dialects, with the real {@code skopeo}: a token made through the IONOS API is the registry's login, limited
 * to what its scopes name and to the registry's {@code apiSubnetAllowList}.
 */
@Timeout(600)
abstract class IonosSkopeoTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String BASE = "/containerregistries";

    @TempDir
    Path tmp;

    @BeforeAll
    void requireSkopeo() {
        if (!Skopeo.available()) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": skopeo is not installed");
            Assumptions.abort("skopeo is not installed");
        }
    }

    private String host() {
        return "127.0.0.1:" + server.port();
    }

    private Path image(String name, long seed) {
        Path dir = tmp.resolve(name);
        OciLayout.write(dir, "latest", List.of(OciLayout.layer(seed, 50_000)));
        return dir;
    }

    /** A user with a registry; returns the owner's Basic client and the registry. */
    private record Owner(Http http, JsonNode registry) {
        String name() {
            return registry.get("properties").get("name").asText();
        }

        String path() {
            return BASE + "/registries/" + registry.get("id").asText();
        }
    }

    private Owner newOwner() {
        String user = uniqueName("sko");
        Sessions.newUser(server, user, PASSWORD);
        Http http = server.http().header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        Http.Response r = assertValid(http.post(BASE + "/registries",
                Map.of("properties", Map.of("name", uniqueName("skr"), "location", "local"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return new Owner(http, r.json());
    }

    /** Creates a token with push on one repository; returns {@code username:password}. */
    private String pushToken(Owner owner, String repository) {
        Http.Response r = assertValid(owner.http().post(owner.path() + "/tokens", Map.of("properties", Map.of(
                "name", "pusher", "scopes", List.of(Map.of("name", repository, "type", "repository",
                        "actions", List.of("pull", "push")))))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode login = r.json().get("properties").get("credentials");
        return login.get("username").asText() + ":" + login.get("password").asText();
    }

    @Test
    void aTokenPushesWhereItsScopeSaysAndNowhereElse() {
        Owner owner = newOwner();
        String creds = pushToken(owner, "app");
        Path source = image("src", 1);
        Skopeo.Result push = Skopeo.push(source, "latest", host() + "/" + owner.name() + "/app:v1", creds);
        assertThat(push.ok()).as(push.toString()).isTrue();
        Skopeo.Result pull = Skopeo.pull(host() + "/" + owner.name() + "/app:v1", tmp.resolve("copy"), "v1", creds);
        assertThat(pull.ok()).as(pull.toString()).isTrue();
        assertThat(OciLayout.blobs(tmp.resolve("copy")).keySet())
                .containsExactlyInAnyOrderElementsOf(OciLayout.blobs(source).keySet());

        Skopeo.Result elsewhere = Skopeo.push(source, "latest", host() + "/" + owner.name() + "/other:v1", creds);
        assertThat(elsewhere.ok()).as(elsewhere.toString()).isFalse();
        Skopeo.Result foreign = Skopeo.push(source, "latest", host() + "/" + newOwner().name() + "/app:v1", creds);
        assertThat(foreign.ok()).as(foreign.toString()).isFalse();
        // What the push stored is the registry's storage usage.
        long bytes = assertValid(owner.http().get(owner.path())).json().get("properties").get("storageUsage")
                .get("bytes").asLong();
        assertThat(bytes).isGreaterThan(50_000);
    }

    @Test
    void aTokenUsedFromOutsideTheAllowListIsRefused() {
        Owner owner = newOwner();
        String creds = pushToken(owner, "guarded");
        Path source = image("guarded", 2);
        String target = host() + "/" + owner.name() + "/guarded:v1";
        // The tests run from 127.0.0.1: a list without it refuses the token.
        assertThat(assertValid(owner.http().patch(owner.path(), Map.of("apiSubnetAllowList",
                List.of("192.0.2.0/24")))).status()).isEqualTo(200);
        Skopeo.Result refused = Skopeo.push(source, "latest", target, creds);
        assertThat(refused.ok()).as(refused.toString()).isFalse();
        assertThat(assertValid(owner.http().patch(owner.path(), Map.of("apiSubnetAllowList",
                List.of("192.0.2.0/24", "127.0.0.1")))).status()).isEqualTo(200);
        Skopeo.Result allowed = Skopeo.push(source, "latest", target, creds);
        assertThat(allowed.ok()).as(allowed.toString()).isTrue();
    }
}
