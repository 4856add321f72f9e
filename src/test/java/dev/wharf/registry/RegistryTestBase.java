package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.WharfConfig;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A running server per test class on the class's backend, with two users: {@code alice} (with an admin-scoped PAT
 * used as Basic credentials by most tests) and {@code bob}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RegistryTestBase {
    static final String PASSWORD = "correct-horse-battery";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    protected TestServer server;
    protected String aliceSession;
    protected String alicePat;
    protected String bobSession;
    protected String bobPat;
    private final Random random = new Random(42);

    protected abstract Backend backend();

    /** Override to adjust the server configuration. */
    protected WharfConfig configure(WharfConfig config) {
        return config;
    }

    /** The server's clock; a class that moves time returns a {@link dev.wharf.testing.ManualClock}. */
    protected Clock clock() {
        return Clock.systemUTC();
    }

    /** Whether the class runs the real skopeo; such classes are skipped, visibly, where it is not installed. */
    protected boolean needsSkopeo() {
        return false;
    }

    @BeforeAll
    void startServer() {
        if (backend() == Backend.POSTGRES && Backend.postgresUrl() == null) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": set " + Backend.POSTGRES_ENV
                    + " to run the PostgreSQL registry tests");
            Assumptions.assumeTrue(false, Backend.POSTGRES_ENV + " is not set");
        }
        if (needsSkopeo() && !Skopeo.available()) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": skopeo is not installed"
                    + " (apt-get install skopeo; CI installs it)");
            Assumptions.assumeTrue(false, "skopeo is not installed");
        }
        server = TestServer.start(backend(), this::configure, clock());
        aliceSession = Sessions.newUser(server, "alice", PASSWORD);
        alicePat = Sessions.newToken(server, aliceSession, "alice-admin", "repo:admin");
        bobSession = Sessions.newUser(server, "bobby", PASSWORD);
        bobPat = Sessions.newToken(server, bobSession, "bob-admin", "repo:admin");
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    RegistryClient anonymous() {
        return new RegistryClient(server.url());
    }

    RegistryClient alice() {
        return anonymous().basic("alice", alicePat);
    }

    RegistryClient bob() {
        return anonymous().basic("bobby", bobPat);
    }

    Http hub() {
        return server.http();
    }

    byte[] randomBytes(int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    /** Pushes a blob monolithically and returns its digest. */
    String pushBlob(RegistryClient client, String repo, byte[] data) {
        String digest = RegistryClient.digest(data);
        RegistryClient.Res r = client.post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, data,
                "Content-Type", "application/octet-stream");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return digest;
    }

    static Map<String, Object> descriptor(String mediaType, byte[] content) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", RegistryClient.digest(content));
        d.put("size", content.length);
        return d;
    }

    /** An image pushed by {@link #pushImage}: its manifest bytes and digest, and its blobs. */
    @SuppressWarnings("ArrayRecordComponent") // test data, read by tests, never compared as a whole
    record Image(byte[] manifest, String digest, List<byte[]> blobs) {
    }

    /** Pushes a config and {@code layers} random layers, then an OCI manifest under {@code tag}. */
    Image pushImage(RegistryClient client, String repo, String tag, int layers) {
        List<byte[]> blobs = new ArrayList<>();
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + random.nextLong() + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        blobs.add(config);
        pushBlob(client, repo, config);
        List<Map<String, Object>> layerDescs = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            byte[] layer = randomBytes(1000 + random.nextInt(5000));
            blobs.add(layer);
            pushBlob(client, repo, layer);
            layerDescs.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", config));
        manifest.put("layers", layerDescs);
        byte[] body = RegistryClient.json(manifest);
        RegistryClient.Res r = client.put("/v2/" + repo + "/manifests/" + tag, body, "Content-Type", OCI_MANIFEST);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return new Image(body, RegistryClient.digest(body), blobs);
    }

    /** Makes a repository public through the domain (the Hub's repository API is another issue). */
    void makePublic(String repo) {
        Repository r = server.wharf().repositories().require(new RepositoryName(repo));
        server.wharf().repositories().setPrivate(r, false);
    }

    Repository repository(String repo) {
        return server.wharf().repositories().require(new RepositoryName(repo));
    }
}
