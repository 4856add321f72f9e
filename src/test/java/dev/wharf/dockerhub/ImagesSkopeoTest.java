package dev.wharf.dockerhub;

import static dev.wharf.testing.ImagesShape.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.registry.OciLayout;
import dev.wharf.registry.Skopeo;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the real {@code skopeo}: what it pushes is what the images API shows, and what delete-images deletes
 * is gone from the registry, so skopeo can no longer pull it.
 */
@Timeout(600)
abstract class ImagesSkopeoTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path tmp;

    @BeforeAll
    void needsSkopeo() {
        if (!Skopeo.available()) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": skopeo is not installed");
            Assumptions.abort("skopeo is not installed");
        }
    }

    @Test
    void anImagePushedWithSkopeoIsListedAndOnceDeletedCannotBePulled() {
        String user = uniqueName("sko");
        String session = Sessions.newUser(server, user, PASSWORD);
        String creds = user + ":" + Sessions.newToken(server, session, "skopeo", "repo:admin");
        Http hub = server.http().bearer(session);
        String host = "127.0.0.1:" + server.port();
        Path layout = tmp.resolve("layout");
        String digest = OciLayout.write(layout, "latest", List.of(OciLayout.layer(1, 20_000), OciLayout.layer(2, 5_000)));
        Skopeo.Result push = Skopeo.push(layout, "latest", host + "/" + user + "/e2e:v1", creds);
        assertThat(push.ok()).as(push.toString()).isTrue();
        Skopeo.Result pull = Skopeo.pull(host + "/" + user + "/e2e:v1", tmp.resolve("before"), "v1", creds);
        assertThat(pull.ok()).as(pull.toString()).isTrue();

        String repo = "/v2/namespaces/" + user + "/repositories/e2e";
        JsonNode images = assertValid(hub.get(repo + "/images")).json();
        assertThat(images.path("count").asLong()).isEqualTo(1);
        JsonNode image = images.path("results").path(0);
        assertThat(image.path("digest").asText()).isEqualTo(digest);
        assertThat(image.path("tags").toString()).isEqualTo("[{\"tag\":\"v1\",\"is_current\":true}]");
        assertThat(image.path("status").asText()).isEqualTo("active");
        assertThat(image.path("last_pushed").isTextual()).isTrue();
        JsonNode tags = assertValid(hub.get(repo + "/images/" + digest + "/tags")).json();
        assertThat(tags.path("results").toString()).isEqualTo("[{\"tag\":\"v1\",\"is_current\":true}]");
        assertThat(assertValid(hub.get(repo + "/images-summary")).json().path("statistics").path("active").asLong())
                .isEqualTo(1);

        Map<String, Object> body = Map.of("dry_run", false,
                "manifests", List.of(Map.of("repository", "e2e", "digest", digest)));
        Http.Response warned = assertValid(hub.post("/v2/namespaces/" + user + "/delete-images", body));
        assertThat(warned.status()).isEqualTo(400);
        JsonNode warnings = warned.json().path("errinfo").path("details").path("warnings");
        assertThat(warnings.size()).as("active and tagged").isEqualTo(2);
        Http.Response deleted = assertValid(hub.post("/v2/namespaces/" + user + "/delete-images",
                Map.of("dry_run", false, "manifests", body.get("manifests"), "ignore_warnings", warnings)));
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().path("metrics").toString()).isEqualTo(
                "{\"manifest_deletes\":1,\"manifest_errors\":0,\"tag_deletes\":1,\"tag_errors\":0}");

        Skopeo.Result byTag = Skopeo.pull(host + "/" + user + "/e2e:v1", tmp.resolve("after-tag"), "v1", creds);
        assertThat(byTag.ok()).as(byTag.toString()).isFalse();
        assertThat(byTag.output()).containsIgnoringCase("manifest unknown");
        Skopeo.Result byDigest = Skopeo.pull(host + "/" + user + "/e2e@" + digest, tmp.resolve("after-digest"), "x",
                creds);
        assertThat(byDigest.ok()).as(byDigest.toString()).isFalse();
        assertThat(assertValid(hub.get(repo + "/images")).json().path("count").asLong()).isZero();
    }
}
