package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Two Wharf nodes, each a separate JVM ({@link ChildServer}, so that one can be killed with SIGKILL), on one
 * PostgreSQL database and one blob store, behind Debian's nginx as a round-robin reverse proxy on loopback. nginx
 * runs from {@code bench/nginx-lb.conf}, the same configuration {@code bench/scale-out.sh} measures.
 *
 * <p>Both nodes seal their signing keys with one key file, so a token signed by one verifies on the other. Every
 * process is stopped by {@link #close}, and by a shutdown hook should the test JVM exit first.
 */
public final class Cluster implements AutoCloseable {
    public static final String NGINX_TEMPLATE = "bench/nginx-lb.conf";
    private static final List<String> NODE_JVM_FLAGS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
    private static final String[] NODE_NAMES = {"a", "b"};

    /** Where the nodes keep blobs; the one place that chooses the blob store for every node. */
    @FunctionalInterface
    public interface BlobStorage {
        /** The {@code wharf serve} arguments that give node {@code name} its data directory and blob store. */
        List<String> serveArgs(String name);
    }

    /** The filesystem store in one data directory that every node uses (a shared volume, in production). */
    public static BlobStorage sharedDataDirectory(Path dir) {
        return name -> List.of("--data-dir", dir.toString());
    }

    /** One bucket of an S3 service for every node, each with a data directory of its own under {@code dirs}. */
    public static BlobStorage s3(Path dirs, S3ProxyServer s3, String bucket) {
        return name -> {
            List<String> args = new java.util.ArrayList<>(List.of("--data-dir", dirs.resolve(name).toString()));
            args.addAll(s3.serveArgs(bucket));
            return args;
        };
    }

    private final Path dir;
    private final List<String> commonArgs;
    private final BlobStorage storage;
    private final int[] ports = new int[NODE_NAMES.length];
    private final ChildServer[] nodes = new ChildServer[NODE_NAMES.length];
    private final Thread stopOnExit = new Thread(this::stopAll, "cluster-stop");
    private Process nginx;
    private int nginxPort;

    private Cluster(Path dir, String databaseUrl, BlobStorage storage) {
        this.dir = dir;
        this.storage = storage;
        this.commonArgs = List.of("--database-url", databaseUrl, "--secret-key-file",
                dir.resolve("secret.key").toString(), "--trusted-proxies", "127.0.0.1");
    }

    /** The nginx binary: on PATH, or where Debian puts it (outside a non-root user's PATH). */
    public static Path nginxBinary() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":", -1)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "nginx");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path debian = Path.of("/usr/sbin/nginx");
        return Files.isExecutable(debian) ? debian : null;
    }

    /**
     * Starts node a, then node b (one after the other: the first migrates the database, and both probe the shared
     * upload directory for direct I/O under one scratch name), then nginx in front of them.
     */
    public static Cluster start(Path dir, String databaseUrl, BlobStorage storage) throws Exception {
        Cluster cluster = new Cluster(dir, databaseUrl, storage);
        Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
        try {
            cluster.writeSharedKey();
            for (int i = 0; i < NODE_NAMES.length; i++) {
                cluster.ports[i] = ChildServer.freePort();
                cluster.startNode(i);
            }
            cluster.startNginx();
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** nginx's base URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://" + authority();
    }

    /** nginx's {@code host:port}, as skopeo names a registry. */
    public String authority() {
        return "127.0.0.1:" + nginxPort;
    }

    /** Node {@code i}'s own base URL (0 is a, 1 is b), bypassing nginx. */
    public String node(int i) {
        return "http://127.0.0.1:" + ports[i];
    }

    /** Kills node {@code i} with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill(int i) throws InterruptedException {
        nodes[i].kill();
    }

    /** Starts node {@code i} again on its port, data and database, after {@link #kill}. */
    public void restart(int i) throws Exception {
        assertThat(nodes[i].process().isAlive()).as("node " + NODE_NAMES[i] + " is still running").isFalse();
        startNode(i);
    }

    /** Every process's console, for a failure message. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.walk(dir, 2)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                out.append("==> ").append(log.getFileName()).append(" (last 40 lines)\n").append(lines
                        .subList(Math.max(0, lines.size() - 40), lines.size()).stream()
                        .collect(Collectors.joining("\n"))).append('\n');
            }
        } catch (IOException e) {
            out.append("cannot read logs: ").append(e);
        }
        return out.toString();
    }

    private void writeSharedKey() throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path file = Files.createFile(dir.resolve("secret.key"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
    }

    private void startNode(int i) throws Exception {
        List<String> args = new ArrayList<>(storage.serveArgs(NODE_NAMES[i]));
        args.addAll(commonArgs);
        nodes[i] = ChildServer.start(dir.resolve("node-" + NODE_NAMES[i] + "-" + System.nanoTime() + ".log"),
                ports[i], NODE_JVM_FLAGS, args.toArray(String[]::new));
    }

    private void startNginx() throws Exception {
        Path binary = nginxBinary();
        assertThat(binary).as("nginx is not installed (apt-get install nginx-light)").isNotNull();
        Path nginxDir = Files.createDirectories(dir.resolve("nginx"));
        nginxPort = ChildServer.freePort();
        StringBuilder upstreams = new StringBuilder();
        for (int port : ports) {
            upstreams.append("server 127.0.0.1:").append(port).append(" max_fails=1 fail_timeout=5s;\n        ");
        }
        Path conf = nginxDir.resolve("nginx.conf");
        Files.writeString(conf, Files.readString(Path.of(NGINX_TEMPLATE))
                .replace("@DIR@", nginxDir.toString())
                .replace("@PORT@", String.valueOf(nginxPort))
                .replace("@UPSTREAMS@", upstreams.toString().trim()));
        Path log = dir.resolve("nginx.log");
        nginx = new ProcessBuilder(binary.toString(), "-p", nginxDir.toString(), "-c", conf.toString(),
                "-e", nginxDir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ChildServer.awaitHealthy(nginx, url(), log);
    }

    private void stopAll() {
        if (nginx != null) {
            nginx.destroyForcibly();
        }
        for (ChildServer node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            for (Process p : processes()) {
                p.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException exiting) {
            // the JVM is shutting down and runs the hook anyway
        }
    }

    private List<Process> processes() {
        List<Process> all = new ArrayList<>();
        if (nginx != null) {
            all.add(nginx);
        }
        for (ChildServer node : nodes) {
            if (node != null) {
                all.add(node.process());
            }
        }
        return all;
    }
}
