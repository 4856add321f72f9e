package dev.wharf.testing;

import dev.wharf.storage.S3Settings;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 for tests: S3Proxy with its filesystem backend, on 127.0.0.1 and a free port, in a JVM of its own. Its
 * self-contained jar is copied to {@code target/s3proxy-lib/s3proxy.jar} by the build (see the pom's
 * maven-dependency-plugin): S3Proxy's own Jetty and AWS SDK would clash with ours on the test classpath.
 *
 * <p>{@link #shared()} is one server for the whole test JVM, stopped when the JVM exits; tests keep apart by each
 * taking a fresh bucket from {@link #newBucket()}.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "wharf-test";
    public static final String SECRET_KEY = "wharf-test-secret";
    public static final String REGION = "us-east-1";
    /** Where the build puts the jar; a test run from elsewhere can name it with {@code -Dwharf.s3proxy.jar}. */
    private static final Path JAR = Path.of(System.getProperty("wharf.s3proxy.jar", "target/s3proxy-lib/s3proxy.jar"));
    private static S3ProxyServer shared;

    private final Process process;
    private final URI endpoint;
    private final Path log;
    private final S3Client client;

    private S3ProxyServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
        this.client = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(REGION))
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .build();
    }

    /** The JVM's one S3Proxy, started on first use in a temporary directory. */
    public static synchronized S3ProxyServer shared() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("wharf-s3proxy");
            shared = start(dir);
            S3ProxyServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return shared;
    }

    /** Starts S3Proxy keeping its buckets under {@code dir}, and returns once it answers HTTP. */
    public static S3ProxyServer start(Path dir) throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the build's"
                    + " generate-test-resources phase (./mvnw test-compile) first");
        }
        int port = ChildServer.freePort();
        Path data = Files.createDirectories(dir.resolve("data"));
        Path properties = dir.resolve("s3proxy.properties");
        Files.write(properties, List.of(
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath()));
        Path log = dir.resolve("s3proxy-" + port + ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", JAR.toAbsolutePath().toString(), "--properties", properties.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        S3ProxyServer server = new S3ProxyServer(process, endpoint, log);
        server.awaitAnswering();
        return server;
    }

    /** Polls until S3Proxy answers any HTTP request (403 without credentials), for at most 60 s. */
    private void awaitAnswering() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited: " + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(1000);
                c.getResponseCode();
                c.disconnect();
                return;
            } catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    close();
                    throw new IllegalStateException("S3Proxy did not answer within 60 s: " + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client signed in to this S3Proxy, for tests that look into a bucket. */
    public S3Client client() {
        return client;
    }

    /** Creates an empty bucket with a fresh name and returns the name. */
    public String newBucket() {
        String name = "wharf-" + UUID.randomUUID().toString().substring(0, 18).toLowerCase(Locale.ROOT);
        client.createBucket(b -> b.bucket(name));
        return name;
    }

    /** Settings for a store in {@code bucket} on this S3Proxy, with static credentials and path-style URLs. */
    public S3Settings settings(String bucket) {
        return new S3Settings(endpoint, REGION, bucket, "", true, ACCESS_KEY, SECRET_KEY, false);
    }

    /** The serve flags for a node storing its blobs in {@code bucket} on this S3Proxy. */
    public List<String> serveArgs(String bucket) {
        return List.of("--storage", "s3", "--s3-endpoint", endpoint.toString(), "--s3-region", REGION,
                "--s3-bucket", bucket, "--s3-path-style", "--s3-access-key", ACCESS_KEY,
                "--s3-secret-key", SECRET_KEY);
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
