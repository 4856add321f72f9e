package dev.wharf.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.registry.OciLayout;
import dev.wharf.registry.RegistryClient;
import dev.wharf.registry.Skopeo;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Cluster;
import dev.wharf.testing.Http;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.S3ProxyServer;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out with real parts (issue 12, section 3): two Wharf JVMs on one PostgreSQL database and one blob store,
 * nginx in front. Whatever one node accepted, the other serves; a credential or a throttle decided on one node holds
 * on the other; a node killed with SIGKILL in the middle of pushes costs the clients a retry and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoNodeTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String OCI_MANIFEST = Pushes.OCI_MANIFEST;
    private static final int A = 0;
    private static final int B = 1;

    @TempDir
    static Path tmp;
    private Cluster cluster;
    private String alicePat;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startCluster() throws Exception {
        String databaseUrl = Backend.POSTGRES.freshJdbcUrlOrSkip(getClass());
        if (Cluster.nginxBinary() == null) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": nginx is not installed"
                    + " (apt-get install nginx-light; CI installs it)");
            Assumptions.abort("nginx is not installed");
        }
        S3ProxyServer s3 = S3ProxyServer.shared();
        cluster = Cluster.start(tmp, databaseUrl, Cluster.s3(tmp.resolve("data"), s3, s3.newBucket()));
        Http nodeA = new Http(cluster.node(A));
        String admin = Sessions.login(nodeA, "admin", TestServer.ADMIN_PASSWORD);
        assertThat(nodeA.bearer(admin).post("/api/v1/users", Map.of("username", "alice", "password", PASSWORD))
                .status()).isEqualTo(201);
        alicePat = newPat(nodeA, "alice", "cluster");
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void pushedThroughOneNodePullsByteIdenticalThroughTheOther() {
        Random random = new Random(1);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        List<byte[]> layers = List.of(bytes(random, 1_500_000), bytes(random, 70_001));
        String digest = new Pushes(cluster.node(A), "alice", alicePat).image("alice/across", "v1", config, layers);

        Pushes viaB = new Pushes(cluster.node(B), "alice", alicePat);
        byte[] manifest = viaB.manifestBytes("alice/across", "v1");
        assertThat(manifest).isNotNull();
        assertThat(Pushes.digest(manifest)).isEqualTo(digest);
        assertThat(viaB.blobBytes("alice/across", Pushes.digest(config))).isEqualTo(config);
        for (byte[] layer : layers) {
            assertThat(viaB.blobBytes("alice/across", Pushes.digest(layer))).isEqualTo(layer);
        }
    }

    /**
     * One upload, its chunks sent to alternating nodes: each node continues where the other stopped, refuses a chunk
     * for an offset the other node has already written past, and the blob the last node commits is byte-identical.
     */
    @Test
    void aChunkedUploadContinuesOnWhicheverNodeGetsTheNextChunk() {
        RegistryClient[] node = {alice(cluster.node(A)), alice(cluster.node(B))};
        Random random = new Random(2);
        byte[][] chunks = {bytes(random, 1_048_576 + 17), bytes(random, 700_003), bytes(random, 1_300_000),
                bytes(random, 99_999)};
        byte[] whole = concat(chunks);
        String digest = RegistryClient.digest(whole);

        RegistryClient.Res started = node[A].post("/v2/alice/chunked/blobs/uploads/", null);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String location = started.header("Location");
        long offset = 0;
        for (int i = 0; i < chunks.length - 1; i++) {
            RegistryClient.Res patched = node[i % 2].patch(location, chunks[i],
                    "Content-Type", "application/octet-stream",
                    "Content-Range", offset + "-" + (offset + chunks[i].length - 1));
            assertThat(patched.status()).as("chunk %d on node %d: %s", i, i % 2, patched).isEqualTo(202);
            offset += chunks[i].length;
            assertThat(patched.header("Range")).isEqualTo("0-" + (offset - 1));
            RegistryClient.Res status = node[(i + 1) % 2].get(location);
            assertThat(status.status()).as(status.toString()).isEqualTo(204);
            assertThat(status.header("Range")).as("the other node sees the chunk").isEqualTo("0-" + (offset - 1));
        }
        long stale = offset - chunks[chunks.length - 2].length;
        RegistryClient.Res outOfOrder = node[A].patch(location, chunks[chunks.length - 2],
                "Content-Type", "application/octet-stream",
                "Content-Range", stale + "-" + (stale + chunks[chunks.length - 2].length - 1));
        assertThat(outOfOrder.status()).as("a chunk the other node already took: " + outOfOrder).isEqualTo(416);

        byte[] last = chunks[chunks.length - 1];
        RegistryClient.Res done = node[B].put(location + "?digest=" + digest, last,
                "Content-Type", "application/octet-stream",
                "Content-Range", offset + "-" + (offset + last.length - 1));
        assertThat(done.status()).as(done.toString()).isEqualTo(201);
        for (RegistryClient client : node) {
            RegistryClient.Res blob = client.get("/v2/alice/chunked/blobs/" + digest);
            assertThat(blob.status()).isEqualTo(200);
            assertThat(blob.bytes()).isEqualTo(whole);
        }
    }

    /**
     * A push's first request creates the repository on one node; the next, on the other node, must find it even when
     * that node has just looked the name up and found nothing (skopeo checks for blobs before it uploads).
     */
    @Test
    void aRepositoryCreatedOnOneNodeIsKnownAtOnceOnTheOther() {
        RegistryClient nodeA = alice(cluster.node(A));
        RegistryClient nodeB = alice(cluster.node(B));
        byte[] blob = bytes(new Random(3), 10_000);
        String digest = RegistryClient.digest(blob);
        assertThat(nodeB.head("/v2/alice/fresh/blobs/" + digest).status()).as("not there yet").isEqualTo(404);
        RegistryClient.Res started = nodeA.post("/v2/alice/fresh/blobs/uploads/", null);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        RegistryClient.Res done = nodeB.put(started.header("Location") + "?digest=" + digest, blob,
                "Content-Type", "application/octet-stream");
        assertThat(done.status()).as(done.toString()).isEqualTo(201);
        assertThat(nodeB.get("/v2/alice/fresh/blobs/" + digest).bytes()).isEqualTo(blob);
    }

    /** Revocation is refused everywhere within 1 s (issue 12, section 2), for Basic and for a registry token. */
    @Test
    void aTokenRevokedOnOneNodeIsRefusedOnTheOtherWithinOneSecond() throws Exception {
        Http nodeA = new Http(cluster.node(A));
        String session = Sessions.login(nodeA, "alice", PASSWORD);
        Http.Response created = nodeA.bearer(session).post("/v2/access-tokens",
                Map.of("token_label", "revoked-on-a", "scopes", List.of("repo:read")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String pat = created.json().get("token").asText();
        RegistryClient basicOnB = new RegistryClient(cluster.node(B)).basic("alice", pat);
        assertThat(basicOnB.get("/v2/").status()).as("the PAT works on node b").isEqualTo(200);
        String jwt = registryToken(cluster.node(B), pat);
        RegistryClient bearerOnB = new RegistryClient(cluster.node(B)).bearer(jwt);
        assertThat(bearerOnB.get("/v2/").status()).as("its registry token works on node b").isEqualTo(200);

        Http.Response revoked = nodeA.bearer(session).delete("/v2/access-tokens/"
                + created.json().get("uuid").asText());
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        long revokedAt = System.nanoTime();
        long deadline = revokedAt + TimeUnit.SECONDS.toNanos(1);
        boolean basicRefused = false;
        boolean bearerRefused = false;
        while (System.nanoTime() < deadline && !(basicRefused && bearerRefused)) {
            basicRefused = basicRefused || basicOnB.get("/v2/").status() == 401;
            bearerRefused = bearerRefused || bearerOnB.get("/v2/").status() == 401;
            Thread.sleep(5);
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
        assertThat(basicRefused).as("Basic with the revoked PAT on node b, %d ms after the revocation", tookMs)
                .isTrue();
        assertThat(bearerRefused).as("the revoked PAT's registry token on node b, %d ms after", tookMs).isTrue();
    }

    /** The sign-in throttle counts across nodes (issue 12, section 2): ten failures on a lock the user out on b. */
    @Test
    void aSignInThrottleReachedThroughOneNodeHoldsOnTheOther() {
        Http nodeA = new Http(cluster.node(A));
        Http nodeB = new Http(cluster.node(B));
        String admin = Sessions.login(nodeA, "admin", TestServer.ADMIN_PASSWORD);
        assertThat(nodeA.bearer(admin).post("/api/v1/users", Map.of("username", "guessed", "password", PASSWORD))
                .status()).isEqualTo(201);
        for (int i = 0; i < 10; i++) {
            assertThat(nodeA.post("/v2/users/login", Map.of("username", "guessed", "password", "guess-" + i))
                    .status()).isEqualTo(401);
        }
        assertThat(nodeA.post("/v2/users/login", Map.of("username", "guessed", "password", PASSWORD)).status())
                .as("node a, after ten failures").isEqualTo(429);
        Http.Response onB = nodeB.post("/v2/users/login", Map.of("username", "guessed", "password", PASSWORD));
        assertThat(onB.status()).as("node b, after ten failures on node a").isEqualTo(429);
    }

    /**
     * Clients push through nginx, four at once, while node a is killed with SIGKILL: each request that failed with it
     * succeeds when the client retries through nginx, and every pushed image pulls back byte-identical through nginx
     * and, once node a is back, through node a.
     */
    @Test
    void killingANodeDuringConcurrentPushesLosesNothing() throws Exception {
        int clients = 4;
        int imagesEach = 8;
        RegistryClient lb = alice(cluster.url());
        AtomicInteger pushed = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        int pushedBeforeKill;
        List<PushedImage> images = new ArrayList<>();
        try {
            List<Future<List<PushedImage>>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                work.add(pool.submit(() -> {
                    List<PushedImage> mine = new ArrayList<>();
                    for (int i = 0; i < imagesEach; i++) {
                        mine.add(pushWithRetries(lb, "alice/killed-" + client, "t" + i, 1000L * client + i, retries));
                        pushed.incrementAndGet();
                    }
                    return mine;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pushed.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            pushedBeforeKill = pushed.get();
            cluster.kill(A);
            for (Future<List<PushedImage>> f : work) {
                images.addAll(f.get(40, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("TwoNodeTest: node a killed after %d of %d pushes; %d requests were retried%n",
                pushedBeforeKill, clients * imagesEach, retries.get());
        assertThat(pushedBeforeKill).as("the kill came in the middle of the pushes").isBetween(2, clients * imagesEach - 1);
        assertThat(images).hasSize(clients * imagesEach);

        for (PushedImage image : images) {
            image.assertPullsBack(lb);
        }
        cluster.restart(A);
        RegistryClient nodeA = alice(cluster.node(A));
        for (PushedImage image : images) {
            image.assertPullsBack(nodeA);
        }
    }

    /** skopeo through nginx: the same push, inspect and pull as against one node, token realm included. */
    @Test
    void skopeoThroughNginxWorksAsAgainstOneNode() {
        Assumptions.assumeTrue(Skopeo.available(), "skopeo is not installed (apt-get install skopeo; CI installs it)");
        Path source = tmp.resolve("skopeo-src");
        String digest = OciLayout.write(source, "latest", List.of(OciLayout.layer(31, 900_000),
                OciLayout.layer(32, 40_000)));
        String creds = "alice:" + alicePat;
        Skopeo.Result push = Skopeo.push(source, "latest", cluster.authority() + "/alice/skopeo:v1", creds);
        assertThat(push.ok()).as(push.toString() + cluster.logs()).isTrue();

        JsonNode throughNginx = inspect(cluster.authority() + "/alice/skopeo:v1", creds);
        JsonNode direct = inspect(cluster.node(B).substring("http://".length()) + "/alice/skopeo:v1", creds);
        assertThat(throughNginx.get("Digest").asText()).isEqualTo(digest);
        ((ObjectNode) throughNginx).remove("Name");
        ((ObjectNode) direct).remove("Name");
        assertThat(throughNginx).as("inspect through nginx and against node b").isEqualTo(direct);

        Path copy = tmp.resolve("skopeo-copy");
        Skopeo.Result pull = Skopeo.pull(cluster.authority() + "/alice/skopeo:v1", copy, "v1", creds);
        assertThat(pull.ok()).as(pull.toString()).isTrue();
        Map<String, byte[]> original = OciLayout.blobs(source);
        Map<String, byte[]> pulled = OciLayout.blobs(copy);
        assertThat(pulled.keySet()).containsExactlyInAnyOrderElementsOf(original.keySet());
        original.forEach((hex, bytes) -> assertThat(pulled.get(hex)).as(hex).isEqualTo(bytes));
    }

    /** An image pushed by the kill test: what its client sent, to compare with what comes back. */
    private static final class PushedImage {
        private final String repo;
        private final String tag;
        private final byte[] manifest;
        private final List<byte[]> blobs;

        PushedImage(String repo, String tag, byte[] manifest, List<byte[]> blobs) {
            this.repo = repo;
            this.tag = tag;
            this.manifest = manifest.clone();
            this.blobs = List.copyOf(blobs);
        }

        void assertPullsBack(RegistryClient client) {
            RegistryClient.Res got = client.get("/v2/" + repo + "/manifests/" + tag, "Accept", OCI_MANIFEST);
            assertThat(got.status()).as(got.toString()).isEqualTo(200);
            assertThat(got.bytes()).as(repo + ":" + tag).isEqualTo(manifest);
            for (byte[] blob : blobs) {
                RegistryClient.Res b = client.get("/v2/" + repo + "/blobs/" + RegistryClient.digest(blob));
                assertThat(b.status()).as(b.toString()).isEqualTo(200);
                assertThat(b.bytes()).as(repo + ":" + tag + " blob").isEqualTo(blob);
            }
        }
    }

    /** A config, a 1 MiB layer and a manifest, each request retried, as a client does, until it succeeds. */
    private static PushedImage pushWithRetries(RegistryClient client, String repo, String tag, long seed,
                                               AtomicInteger retries) {
        Random random = new Random(seed);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = bytes(random, 1_048_576);
        for (byte[] blob : List.of(config, layer)) {
            retried(() -> client.post("/v2/" + repo + "/blobs/uploads/?digest=" + RegistryClient.digest(blob), blob,
                    "Content-Type", "application/octet-stream"), 201, retries);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", Pushes.descriptor("application/vnd.oci.image.config.v1+json", config));
        manifest.put("layers", List.of(Pushes.descriptor("application/vnd.oci.image.layer.v1.tar", layer)));
        byte[] body = RegistryClient.json(manifest);
        retried(() -> client.put("/v2/" + repo + "/manifests/" + tag, body, "Content-Type", OCI_MANIFEST), 201,
                retries);
        return new PushedImage(repo, tag, body, List.of(config, layer));
    }

    /**
     * Sends a request until it answers {@code expected}: a broken connection or a gateway error (the node behind
     * nginx died under the request) is retried, within 30 s; any other answer fails the test.
     */
    private static void retried(Supplier<RegistryClient.Res> request, int expected, AtomicInteger retries) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String failure;
            try {
                RegistryClient.Res r = request.get();
                if (r.status() == expected) {
                    return;
                }
                assertThat(r.status()).as("only a gateway error may be retried: " + r).isIn(502, 503, 504);
                failure = r.toString();
            } catch (UncheckedIOException e) {
                failure = e.toString();
            }
            assertThat(System.nanoTime()).as("retries until the deadline; last: " + failure).isLessThan(deadline);
            retries.incrementAndGet();
        }
    }

    private static JsonNode inspect(String reference, String creds) {
        Skopeo.Result r = Skopeo.run("inspect", "--tls-verify=false", "--creds", creds, "docker://" + reference);
        assertThat(r.ok()).as(r.toString()).isTrue();
        try {
            return RegistryClient.JSON.readTree(r.output());
        } catch (IOException e) {
            throw new AssertionError("skopeo inspect printed no JSON: " + r, e);
        }
    }

    private static String registryToken(String node, String pat) {
        RegistryClient.Res challenge = new RegistryClient(node).get("/v2/");
        String header = challenge.header("WWW-Authenticate");
        String service = header.replaceAll(".*service=\"([^\"]*)\".*", "$1");
        RegistryClient.Res token = new RegistryClient(node).basic("alice", pat).get("/token?service=" + service);
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().get("token").asText();
    }

    private static String newPat(Http node, String user, String label) {
        String session = Sessions.login(node, user, PASSWORD);
        Http.Response r = node.bearer(session).post("/v2/access-tokens",
                Map.of("token_label", label, "scopes", List.of("repo:admin")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("token").asText();
    }

    private RegistryClient alice(String base) {
        return new RegistryClient(base).basic("alice", alicePat);
    }

    private static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[][] parts) {
        int size = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
