package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory's disk fills up under a running server, then space is freed. While it is full, pushes answer
 * 507 and other writes 503 in their dialect's shape, {@code /healthz} says so, and nothing answers 500; once space is
 * back the server works again by itself. The disk is a small tmpfs, which needs root: elsewhere the test is skipped
 * and says so (CI runs as root).
 */
class DiskFullTest {
    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock();
    private Path mount;
    private Wharf wharf;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = tmp.resolve("disk");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!mounted) {
            System.err.println("SKIPPED DiskFullTest: cannot mount a tmpfs here (needs root): " + out.trim());
        }
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs");
    }

    @AfterEach
    void unmount() throws Exception {
        if (wharf != null) {
            wharf.close();
        }
        new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void writesAreRefusedWhileTheDiskIsFullAndWorkAgainOnceSpaceIsFree() throws Exception {
        Path data = mount.resolve("data");
        wharf = Wharf.start(WharfConfig.defaults(data).toBuilder().bind("127.0.0.1").port(0).build(), System.out,
                TestServer.ENV, clock);
        String url = "http://127.0.0.1:" + wharf.port();
        Http http = new Http(url);
        Http admin = http.bearer(Sessions.login(http, "admin", TestServer.ADMIN_PASSWORD));
        Http registry = http.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                ("admin:" + TestServer.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertThat(pushBlob(registry, 1).status()).isEqualTo(201);

        Path filler = mount.resolve("filler");
        fill(filler);
        Http.Response push = pushBlob(registry, 2);
        assertThat(push.status()).as(push.toString()).isEqualTo(507);
        assertThat(push.json().path("errors").path(0).path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(push.header("Retry-After")).isNotNull();
        Http.Response token = admin.post("/v2/access-tokens", Map.of("token_label", "full",
                "scopes", List.of("repo:read")));
        assertThat(token.status()).as(token.toString()).isIn(201, 503);
        clock.advance(Duration.ofSeconds(2));
        Http.Response health = http.get("/healthz");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().path("storage").asText()).startsWith("no space left");

        Files.delete(filler);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status = 0;
        while (System.nanoTime() < deadline && (status = pushBlob(registry, 3).status()) != 201) {
            Thread.sleep(250);
        }
        assertThat(status).as("a push once space is free").isEqualTo(201);
        assertThat(admin.post("/v2/access-tokens", Map.of("token_label", "after", "scopes", List.of("repo:read")))
                .status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(2)); // past the health check's one-second memory
        assertThat(http.get("/healthz").status()).isEqualTo(200);
    }

    /** Writes zeros until the disk refuses more. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
    }

    private static Http.Response pushBlob(Http registry, long seed) throws Exception {
        byte[] data = new byte[2 << 20];
        new Random(seed).nextBytes(data);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        return registry.send("POST", "/v2/admin/disk/blobs/uploads/?digest=" + digest, data);
    }
}
