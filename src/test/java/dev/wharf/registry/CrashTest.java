package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Backend;
import dev.wharf.testing.ChildServer;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a large upload, then restart: every image pushed before the kill pulls back intact, no
 * partial blob is visible (through the API or on disk), and the interrupted upload resumes where the disk says it
 * stopped. The server runs as a child process so that it can really be killed.
 */
@Timeout(300)
abstract class CrashTest {
    static final long BIG = 128L * 1024 * 1024;
    static final long KILL_AFTER = 24L * 1024 * 1024;

    @TempDir
    Path tmp;
    private Process process;
    private String url;

    protected abstract Backend backend();

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void killDuringALargeUploadThenRestart() throws Exception {
        String databaseUrl = backend().freshJdbcUrlOrSkip(getClass());
        Path dataDir = tmp.resolve("data");
        int port = ChildServer.freePort();
        start(dataDir, port, databaseUrl, "first");

        // A user, a token, and an image pushed before the crash.
        Http http = new Http(url);
        String admin = login(http, "admin", TestServer.ADMIN_PASSWORD);
        assertThat(http.bearer(admin).post("/api/v1/users", Map.of("username", "alice",
                "password", "correct-horse-battery")).status()).isEqualTo(201);
        String session = login(http, "alice", "correct-horse-battery");
        String pat = http.bearer(session).post("/v2/access-tokens", Map.of("token_label", "crash",
                "scopes", List.of("repo:admin"))).json().get("token").asText();
        RegistryClient alice = new RegistryClient(url).basic("alice", pat);
        List<byte[]> blobs = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 3; i++) {
            byte[] b = new byte[200_000 + i];
            random.nextBytes(b);
            blobs.add(b);
            String d = RegistryClient.digest(b);
            assertThat(alice.post("/v2/alice/crash/blobs/uploads/?digest=" + d, b).status()).isEqualTo(201);
        }
        byte[] manifest = RegistryClient.json(Map.of("schemaVersion", 2, "mediaType", RegistryTestBase.OCI_MANIFEST,
                "config", RegistryTestBase.descriptor("application/vnd.oci.image.config.v1+json", blobs.get(0)),
                "layers", List.of(RegistryTestBase.descriptor("application/vnd.oci.image.layer.v1.tar", blobs.get(1)),
                        RegistryTestBase.descriptor("application/vnd.oci.image.layer.v1.tar", blobs.get(2)))));
        assertThat(alice.put("/v2/alice/crash/manifests/v1", manifest, "Content-Type", RegistryTestBase.OCI_MANIFEST)
                .status()).isEqualTo(201);

        // A large chunked upload, killed with SIGKILL while its body is streaming in.
        String location = alice.post("/v2/alice/crash/blobs/uploads/", null).header("Location");
        CountDownLatch killed = new CountDownLatch(1);
        HttpRequest patch = HttpRequest.newBuilder(URI.create(url + location))
                .header("Authorization", basic(pat))
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new Pattern(0, BIG, killed)))
                .build();
        CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient()
                .sendAsync(patch, HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long received = 0;
        while (received < KILL_AFTER && System.nanoTime() < deadline) {
            Thread.sleep(50);
            received = rangeEnd(alice.get(location).header("Range")) + 1;
        }
        assertThat(received).as("bytes the server received before the kill").isGreaterThanOrEqualTo(KILL_AFTER);
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        killed.countDown();
        try {
            inFlight.get(30, TimeUnit.SECONDS);
        } catch (Exception expected) {
            // the connection died with the server
        }

        start(dataDir, port, databaseUrl, "second");
        alice = new RegistryClient(url).basic("alice", pat);

        // Everything pushed before the kill is intact.
        RegistryClient.Res m = alice.get("/v2/alice/crash/manifests/v1");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.bytes()).isEqualTo(manifest);
        for (byte[] b : blobs) {
            assertThat(alice.get("/v2/alice/crash/blobs/" + RegistryClient.digest(b)).bytes()).isEqualTo(b);
        }

        // No partial blob: not through the API, and every file in the store hashes to its name.
        String bigDigest = patternDigest(BIG);
        assertThat(alice.head("/v2/alice/crash/blobs/" + bigDigest).status()).isEqualTo(404);
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs/sha256"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(sha256(f)).as(f.toString()).isEqualTo(f.getFileName().toString());
            }
        }

        // The interrupted upload resumes where the disk says it stopped.
        RegistryClient.Res status = alice.get(location);
        assertThat(status.status()).isEqualTo(204);
        long offset = rangeEnd(status.header("Range")) + 1;
        assertThat(offset).isGreaterThanOrEqualTo(KILL_AFTER).isLessThan(BIG);
        HttpRequest rest = HttpRequest.newBuilder(URI.create(url + location))
                .header("Authorization", basic(pat))
                .header("Content-Range", offset + "-" + (BIG - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new Pattern(offset, BIG, null)))
                .build();
        HttpResponse<String> resumed = HttpClient.newHttpClient().send(rest, HttpResponse.BodyHandlers.ofString());
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(202);
        RegistryClient.Res done = alice.put(location + "?digest=" + bigDigest, null);
        assertThat(done.status()).as(done.toString()).isEqualTo(201);
        RegistryClient.Res head = alice.head("/v2/alice/crash/blobs/" + bigDigest);
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(BIG));
        HttpResponse<InputStream> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url + "/v2/alice/crash/blobs/" + bigDigest))
                .header("Authorization", basic(pat)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat("sha256:" + sha256(download.body())).isEqualTo(bigDigest);
    }

    private void start(Path dataDir, int port, String databaseUrl, String name) throws Exception {
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
        if (databaseUrl != null) {
            args.addAll(List.of("--database-url", databaseUrl));
        }
        ChildServer child = ChildServer.start(tmp.resolve(name + ".log"), port, List.of("-Xmx256m"),
                args.toArray(String[]::new));
        process = child.process();
        url = child.url();
    }

    private static String login(Http http, String user, String password) {
        Http.Response r = http.post("/v2/users/login", Map.of("username", user, "password", password));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("token").asText();
    }

    private static String basic(String pat) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(("alice:" + pat).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static long rangeEnd(String range) {
        return range == null ? -1 : Long.parseLong(range.substring(range.indexOf('-') + 1));
    }

    private static String patternDigest(long size) throws Exception {
        try (InputStream in = new Pattern(0, size, null)) {
            return "sha256:" + sha256(in);
        }
    }

    private static String sha256(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) > 0) {
            sha.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * A deterministic byte stream: byte i is a function of i, so any suffix can be regenerated. With a latch, it
     * stops after {@code 2 * KILL_AFTER} bytes until the latch opens, then fails like a dead connection.
     */
    static final class Pattern extends InputStream {
        private long position;
        private final long end;
        private final CountDownLatch hold;

        Pattern(long start, long end, CountDownLatch hold) {
            this.position = start;
            this.end = end;
            this.hold = hold;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            if (hold != null && position >= 2 * KILL_AFTER) {
                try {
                    hold.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("connection closed");
            }
            int n = (int) Math.min(len, end - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                b[off + i] = (byte) (p * 31 + (p >>> 11) + (p >>> 19));
            }
            position += n;
            return n;
        }
    }
}
