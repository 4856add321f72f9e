package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.ChildServer;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many transfers at once against a server running with the JVM flags the README recommends (the bench script's
 * {@code RECOMMENDED_JVM_FLAGS}): its 64 MiB direct-memory cap is smaller than one 1 MiB buffer per transfer, so
 * every download must still arrive whole and every upload must commit, with no {@code OutOfMemoryError} in the log.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TransferLoadTest {
    private static final int DOWNLOADS = 96;
    private static final int UPLOADS = 32;
    private static final int SHARED = 32 * 1024 * 1024;
    private static final int BLOB = 8 * 1024 * 1024;

    @TempDir
    Path tmp;
    private Process process;
    private String url;
    private String auth;

    @AfterEach
    void stop() throws IOException {
        if (process != null) {
            process.destroyForcibly();
            // What went wrong, for the CI log: the server's lines other than the access log.
            Files.readAllLines(tmp.resolve("server.log")).stream().filter(l -> !l.contains("logger=access"))
                    .limit(80).forEach(System.out::println);
        }
    }

    @Test
    void parallelDownloadsAndUploadsAllCompleteUnderTheRecommendedMemoryCaps() throws Exception {
        start();
        auth = bearer();
        byte[] shared = random(SHARED, 1);
        String sharedDigest = digest(shared);
        assertThat(upload(shared)).isEqualTo(201);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<Callable<String>> tasks = new ArrayList<>();
        for (int i = 0; i < DOWNLOADS; i++) {
            tasks.add(() -> {
                HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url + "/v2/admin/load/blobs/"
                        + sharedDigest)).header("Authorization", auth).timeout(Duration.ofMinutes(2)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                // A slow reader: the server's writes block, so the downloads overlap and hold their buffers.
                return r.statusCode() + " " + slowDigest(r.body());
            });
        }
        for (int i = 0; i < UPLOADS; i++) {
            byte[] data = random(BLOB, 100 + i);
            tasks.add(() -> upload(data) + " " + digest(data));
        }
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<String>> results = pool.invokeAll(tasks);
            for (int i = 0; i < results.size(); i++) {
                String result = results.get(i).get();
                if (i < DOWNLOADS) {
                    assertThat(result).as("download %d", i).isEqualTo("200 " + sharedDigest);
                } else {
                    assertThat(result).as("upload %d", i - DOWNLOADS).startsWith("201 ");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.readString(tmp.resolve("server.log"))).doesNotContain("OutOfMemoryError");
    }

    /**
     * Registry clients may send Basic passwords on every request; each check holds 19 MiB for Argon2id. The burst
     * comes from 48 users, because the sign-in throttle runs at most 10 checks at once for one user and address.
     */
    @Test
    void aBurstOfPasswordChecksFitsTheHeap() throws Exception {
        start();
        Http admin = new Http(url).bearer(Sessions.login(new Http(url), "admin", TestServer.ADMIN_PASSWORD));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            String user = "burst" + i;
            Http.Response created = admin.post("/api/v1/users", java.util.Map.of("username", user, "password",
                    "burst-password-" + i));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":burst-password-" + i)
                    .getBytes(StandardCharsets.UTF_8));
            tasks.add(() -> client.send(HttpRequest.newBuilder(URI.create(url + "/v2/")).header("Authorization", basic)
                    .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            for (Future<Integer> status : pool.invokeAll(tasks)) {
                assertThat(status.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.readString(tmp.resolve("server.log"))).doesNotContain("OutOfMemoryError");
    }

    private int upload(byte[] data) throws Exception {
        Http.Response started = new Http(url).header("Authorization", auth).post("/v2/admin/load/blobs/uploads/",
                null);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String location = started.header("Location");
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                (location.startsWith("/") ? url + location : location) + "?digest=" + digest(data)))
                .header("Authorization", auth).timeout(Duration.ofMinutes(2))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
        return put.statusCode();
    }

    /** A registry token, so that requests cost no password check (those are serialised, see PasswordHasher). */
    private String bearer() {
        Http.Response r = new Http(url).header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                ("admin:" + TestServer.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .get("/token?service=wharf&scope=repository:admin/load:pull,push");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return "Bearer " + r.json().get("token").asText();
    }

    private void start() throws Exception {
        ChildServer child = ChildServer.start(tmp.resolve("server.log"), ChildServer.freePort(),
                ChildServer.recommendedJvmFlags(), "--data-dir", tmp.resolve("data").toString());
        process = child.process();
        url = child.url();
    }

    private static String slowDigest(InputStream body) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[256 * 1024];
        try (body) {
            for (int n; (n = body.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                Thread.sleep(2);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static String digest(byte[] data) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
