package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.WharfConfig;
import dev.wharf.storage.S3Settings;
import dev.wharf.testing.Backend;
import dev.wharf.testing.ChildServer;
import dev.wharf.testing.Collections;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.S3ProxyServer;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A server whose blobs are in S3 (S3Proxy): images push and pull through HTTP, a Range GET streams part of a blob,
 * garbage collection removes the object, {@code --s3-redirect} answers 307 to a presigned URL, and a missing bucket
 * stops the start with one line.
 */
class S3StorageTest extends ServerTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    private S3ProxyServer s3;
    private String bucket;

    @TempDir
    Path dir;

    @Override
    protected Backend backend() {
        return Backend.H2;
    }

    @Override
    protected WharfConfig configure(WharfConfig config) {
        try {
            s3 = S3ProxyServer.shared();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        bucket = s3.newBucket();
        return config.toBuilder().s3(s3.settings(bucket)).gcProtectionWindow(Duration.ZERO)
                .gcInterval(Duration.ZERO).build();
    }

    private Pushes pushes(String url) {
        return new Pushes(url, "admin", TestServer.ADMIN_PASSWORD);
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + TestServer.ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<byte[]> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private boolean inBucket(String digest) {
        String hex = digest.substring("sha256:".length());
        try {
            s3.client().headObject(b -> b.bucket(bucket).key("sha256/" + hex.substring(0, 2) + "/" + hex));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void imagesPushAndPullThroughS3AndARangeStreamsPartOfABlob() throws Exception {
        String repo = "admin/" + uniqueName("s3");
        byte[] layer = random(6 << 20, 1);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Pushes p = pushes(server.url());
        String manifest = p.image(repo, "v1", config, List.of(layer));
        String layerDigest = Pushes.digest(layer);
        assertThat(inBucket(layerDigest)).isTrue();
        assertThat(p.blobBytes(repo, layerDigest)).isEqualTo(layer);
        assertThat(p.manifestBytes(repo, "v1")).isNotNull();

        HttpResponse<byte[]> range = get(server.url() + "/v2/" + repo + "/blobs/" + layerDigest,
                "Authorization", basic(), "Range", "bytes=1000-5999999");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(layer, 1000, 6_000_000));

        // Deleted, the image is garbage; the collector removes its objects from the bucket.
        assertThat(p.deleteManifest(repo, manifest)).isEqualTo(202);
        Collections.run(server.http().bearer(Sessions.adminSession(server)), false, false);
        assertThat(inBucket(layerDigest)).as("layer object after gc").isFalse();
        assertThat(inBucket(Pushes.digest(config))).as("config object after gc").isFalse();
    }

    @Test
    void withRedirectABlobGetAnswers307ToAPresignedUrlThatServesIt() throws Exception {
        S3Settings plain = s3.settings(bucket);
        S3Settings redirecting = new S3Settings(plain.endpoint(), plain.region(), plain.bucket(), plain.prefix(),
                plain.pathStyle(), plain.accessKey(), plain.secretKey(), true);
        try (TestServer node = TestServer.start(Backend.H2, c -> c.toBuilder().s3(redirecting).build())) {
            String repo = "admin/" + uniqueName("redirect");
            byte[] blob = random(100_000, 2);
            pushes(node.url()).upload(repo, blob);
            HttpResponse<byte[]> r = get(node.url() + "/v2/" + repo + "/blobs/" + Pushes.digest(blob),
                    "Authorization", basic());
            assertThat(r.statusCode()).isEqualTo(307);
            String location = r.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith(s3.endpoint().toString()).contains("X-Amz-Signature=")
                    .contains("X-Amz-Expires=300");
            HttpResponse<byte[]> fetched = get(location);
            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(fetched.body()).isEqualTo(blob);
        }
    }

    @Test
    void aMissingBucketStopsTheStartWithOneClearLine() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "dev.wharf.Main", "serve",
                "--data-dir", dir.resolve("data").toString(), "--bind", "127.0.0.1",
                "--port", String.valueOf(ChildServer.freePort())));
        List<String> s3Args = new ArrayList<>(s3.serveArgs("no-such-bucket"));
        command.addAll(s3Args);
        Path log = dir.resolve("serve.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("serve exits").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isEqualTo(2);
        assertThat(output.strip()).as(output).isEqualTo("wharf: S3 storage: bucket no-such-bucket does not exist at "
                + s3.endpoint());
        assertThat(output).doesNotContain(S3ProxyServer.SECRET_KEY);
    }
}
