package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.ChildServer;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an anonymous attacker can send, against a server run as a child process with the JVM flags the README
 * recommends (128 MiB of heap): garbage tokens, oversized sign-ins, parser bombs, and slow clients. Each leaves the
 * heap bounded, refuses with a 4xx, and keeps the server answering other clients within a second.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AbuseTest {
    /** What the attacks may leave behind in the heap, measured after a full collection. */
    private static final long HEAP_GROWTH_LIMIT = 24L * 1024 * 1024;
    private static final Duration PROBE_DEADLINE = Duration.ofSeconds(1);

    @TempDir
    Path tmp;
    private ChildServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
            server.log().lines().filter(l -> !l.contains("logger=access")).limit(60).forEach(System.out::println);
        }
    }

    private void start(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--data-dir", tmp.resolve("data").toString()));
        all.addAll(List.of(args));
        server = ChildServer.start(tmp.resolve("server.log"), ChildServer.freePort(),
                ChildServer.recommendedJvmFlags(), all.toArray(String[]::new));
    }

    /**
     * Probes {@code /healthz} every 100 ms while {@code attack} runs and returns the slowest answer; a probe that fails
     * or takes longer than {@link #PROBE_DEADLINE} counts as the deadline exceeded.
     */
    private Duration slowestProbeDuring(Attack attack) throws Exception {
        failedProbe.set(null);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong slowest = new AtomicLong();
        ExecutorService prober = Executors.newSingleThreadExecutor();
        Future<?> probes = prober.submit(() -> {
            HttpClient fresh = HttpClient.newBuilder().connectTimeout(PROBE_DEADLINE).build();
            while (!done.get()) {
                long start = System.nanoTime();
                try {
                    HttpResponse<Void> r = fresh.send(HttpRequest.newBuilder(URI.create(server.url() + "/healthz"))
                            .timeout(PROBE_DEADLINE.multipliedBy(2)).build(), HttpResponse.BodyHandlers.discarding());
                    long took = r.statusCode() == 200 ? System.nanoTime() - start : Long.MAX_VALUE;
                    if (r.statusCode() != 200) {
                        failedProbe.compareAndSet(null, "/healthz answered " + r.statusCode());
                    }
                    slowest.accumulateAndGet(took, Math::max);
                } catch (IOException e) {
                    failedProbe.compareAndSet(null, "/healthz failed after "
                            + (System.nanoTime() - start) / 1_000_000 + " ms: " + e);
                    slowest.set(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            attack.run();
        } finally {
            done.set(true);
            probes.get(30, TimeUnit.SECONDS);
            prober.shutdownNow();
        }
        return Duration.ofNanos(slowest.get());
    }

    @FunctionalInterface
    private interface Attack {
        void run() throws Exception;
    }

    /** Why a probe failed, if one did: the first failure of the current attack, for the assertion's message. */
    private final java.util.concurrent.atomic.AtomicReference<String> failedProbe =
            new java.util.concurrent.atomic.AtomicReference<>();

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    /**
     * Runs {@code attack} and checks what it must not do: keep more than {@link #HEAP_GROWTH_LIMIT} of heap after a
     * full collection, keep others waiting longer than {@link #PROBE_DEADLINE}, or run the server out of memory.
     */
    private void survives(String what, Attack attack) throws Exception {
        long before = server.heapAfterGc();
        Duration slowest = slowestProbeDuring(attack);
        long after = server.heapAfterGc();
        System.out.printf("AbuseTest, %s: heap after GC %.1f MiB before, %.1f MiB after; slowest /healthz %d ms%n",
                what, before / 1048576.0, after / 1048576.0, slowest.toMillis());
        assertThat(slowest).as(failedProbe.get() == null ? "slowest probe" : failedProbe.get()
                + "; server log tail: " + tail(server.log())).isLessThan(PROBE_DEADLINE);
        assertThat(after - before).isLessThan(HEAP_GROWTH_LIMIT);
        assertThat(server.log()).doesNotContain("OutOfMemoryError").doesNotContain("status=500");
    }

    /** Runs {@code count} requests on {@code threads} threads; returns how often each status came back. */
    private Map<Integer, Long> flood(int count, int threads, java.util.function.IntFunction<HttpRequest> request)
            throws Exception {
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            AtomicLong next = new AtomicLong();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(() -> {
                    for (long i; (i = next.getAndIncrement()) < count; ) {
                        int status;
                        try {
                            status = client.send(request.apply((int) i), HttpResponse.BodyHandlers.discarding())
                                    .statusCode();
                        } catch (IOException e) {
                            status = -1;
                        }
                        statuses.merge(status, 1L, Long::sum);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return statuses;
    }

    private HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30));
    }

    @Test
    void aHundredThousandGarbageTokensLeaveTheHeapAsItWas() throws Exception {
        start();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        StringBuilder base = new StringBuilder();
        Random random = new Random(1);
        for (int c = 0; c < 6_690; c++) {
            base.append(c == 100 || c == 4_000 ? '.' : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        survives("100,000 garbage tokens", () -> {
            Map<Integer, Long> statuses = flood(100_000, 16, i -> {
                // Every token is different, as an attacker's would be: the tail counts up.
                String token = base + String.format("%010d", i);
                // Alternate the registry and the Hub, which verify bearer tokens each in their own way.
                String path = i % 2 == 0 ? "/v2/" : "/v2/access-tokens";
                return to(path).header("Authorization", "Bearer " + token).build();
            });
            assertThat(statuses).containsOnlyKeys(401);
        });
    }

    @Test
    void aThousandOversizedSignInsAreRefusedWithoutAHeapToShowForIt() throws Exception {
        start();
        String longName = "{\"username\":\"" + "n".repeat(900_000) + "\",\"password\":\"p\"}";
        byte[] tooLarge = ("{\"username\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        survives("1,000 oversized sign-ins", () -> {
            Map<Integer, Long> statuses = flood(1_000, 8, i -> i % 2 == 0
                    ? to("/v2/users/login").POST(HttpRequest.BodyPublishers.ofString(longName)).build()
                    : to("/v2/auth/token").POST(HttpRequest.BodyPublishers.ofByteArray(tooLarge)).build());
            assertThat(statuses).containsOnlyKeys(401, 413);
            assertThat(statuses.get(401)).isEqualTo(500);
        });
    }

    @Test
    void parserBombsAreRefusedWithA4xx() throws Exception {
        start();
        Http http = new Http(server.url());
        String secret = adminRepoToken(http, "bombs");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + secret)
                .getBytes(StandardCharsets.UTF_8));

        StringBuilder fields = new StringBuilder("{");
        for (int i = 0; fields.length() < 9 * 1024 * 1024; i++) {
            fields.append("\"k").append(i).append("\":[0],");
        }
        String nineMiB = fields.append("\"username\":\"x\"}").toString();
        String oneMiBOfFields = nineMiB.substring(0, 1_000_000) + "0]}";
        StringBuilder arrays = new StringBuilder("{\"schemaVersion\":2,\"layers\":[");
        while (arrays.length() < 4 * 1024 * 1024 - 100) {
            arrays.append("[0],");
        }
        String fourMiBManifest = arrays.append("[0]]}").toString();
        StringBuilder empties = new StringBuilder("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"size\":1,"
                + "\"digest\":\"sha256:" + "0".repeat(64) + "\"},\"layers\":[");
        while (empties.length() < 4 * 1024 * 1024 - 100) {
            empties.append("{},");
        }
        String emptyDescriptors = empties.append("{}]}").toString();
        StringBuilder scopes = new StringBuilder("grant_type=password&username=admin&password=" + secret + "&scope=");
        for (int i = 0; i < 50_000; i++) {
            scopes.append("repository:admin/r").append(i).append(":pull+");
        }
        String fiftyThousandScopes = scopes.toString();

        survives("parser bombs", () -> {
            Map<Integer, Long> statuses = flood(200, 8, i -> switch (i % 5) {
                case 0 -> to("/v2/users/login").POST(HttpRequest.BodyPublishers.ofString(nineMiB)).build();
                case 1 -> to("/v2/users/login").POST(HttpRequest.BodyPublishers.ofString(oneMiBOfFields)).build();
                case 2 -> to("/v2/admin/bomb/manifests/v1").header("Authorization", basic)
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofString(fourMiBManifest)).build();
                case 3 -> to("/v2/admin/bomb/manifests/v2").header("Authorization", basic)
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofString(emptyDescriptors)).build();
                default -> to("/token").header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(fiftyThousandScopes)).build();
            });
            assertThat(statuses.keySet()).allSatisfy(s -> assertThat(s).isBetween(400, 413));
        });
    }

    @Test
    void slowBodiesAndSlowHeadersAreCutOffAndOthersAreStillServed() throws Exception {
        start("--header-timeout", "3s", "--idle-timeout", "5s");
        // The attacker comes from 127.0.0.2, so that the per-client limit, which it runs into, spares the probe.
        InetAddress attacker = InetAddress.getByName("127.0.0.2");
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                URI.create(server.url()).getPort());
        List<Socket> slowBodies = new ArrayList<>();
        List<Socket> slowHeaders = new ArrayList<>();
        survives("1,000 slow bodies and 500 slow headers", () -> {
            for (int i = 0; i < 1_000; i++) {
                Socket s = open(attacker, target);
                if (s != null) {
                    send(s, "POST /v2/users/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 1000\r\n\r\n{");
                    slowBodies.add(s);
                }
            }
            for (int i = 0; i < 500; i++) {
                Socket s = open(attacker, target);
                if (s != null) {
                    send(s, "GET /v2/ HTTP/1.1\r\n");
                    slowHeaders.add(s);
                }
            }
            // One byte every 2 s, for 8 s: enough for every deadline to pass.
            for (int round = 0; round < 4; round++) {
                Thread.sleep(2_000);
                for (Socket s : slowBodies) {
                    send(s, "\"");
                }
                for (Socket s : slowHeaders) {
                    send(s, "X");
                }
            }
        });
        // Every attacking connection has been closed by the server by now.
        for (Socket s : slowHeaders) {
            assertThat(closedByServer(s)).as("a slow-header connection").isTrue();
        }
        for (Socket s : slowBodies) {
            assertThat(closedByServer(s)).as("a slow-body connection").isTrue();
        }
    }

    @Test
    void aStalledUploadEndsAsTheClientGoneNotAsA500() throws Exception {
        start("--idle-timeout", "2s", "--min-body-rate", "0");
        Http http = new Http(server.url());
        String secret = adminRepoToken(http, "stall");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + secret)
                .getBytes(StandardCharsets.UTF_8));
        String location = http.header("Authorization", basic).post("/v2/admin/stall/blobs/uploads/", "")
                .header("Location");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), URI.create(server.url()).getPort())) {
            send(s, "PATCH " + location + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(10));
            s.setSoTimeout(20_000);
            s.getInputStream().readAllBytes(); // the server ends the exchange once the idle timeout passes
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!server.log().contains("method=PATCH") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String patchLine = server.log().lines().filter(l -> l.contains("method=PATCH")).findFirst().orElseThrow();
        assertThat(patchLine).contains("status=408");
        assertThat(server.log()).doesNotContain("unhandled error");
        // The upload is still there, at the offset the store kept (a chunk that never finished is not kept).
        Http.Response status = http.header("Authorization", basic).get(location);
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-0");
    }

    /** A fresh repo:admin personal access token of the admin, as a registry client would be given. */
    private static String adminRepoToken(Http http, String label) {
        String session = Sessions.login(http, "admin", TestServer.ADMIN_PASSWORD);
        return http.bearer(session).post("/v2/access-tokens", Map.of("token_label", label,
                "scopes", List.of("repo:admin"))).json().get("token").asText();
    }

    private static Socket open(InetAddress from, InetSocketAddress to) {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(from, 0));
            s.connect(to, 2_000);
            return s;
        } catch (IOException refused) {
            return null;
        }
    }

    private static void send(Socket s, String text) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException closed) {
            // the server closed it: what the test wants to happen
        }
    }

    /** Whether the server has closed the connection: a read sees the end of the stream (after any answer). */
    private static boolean closedByServer(Socket s) {
        try (s) {
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                // an error answer before the close is fine
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
