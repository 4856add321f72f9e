package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code wharf serve} process that a test started itself: to kill it, to run it with the JVM flags the README
 * recommends, or to measure its heap. Its console goes to a log file the test can read.
 */
public final class ChildServer implements AutoCloseable {
    private static final Pattern HEAP_USED = Pattern.compile(
            "(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)$");

    private final Process process;
    private final String url;
    private final Path log;

    private ChildServer(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /**
     * Starts {@code wharf serve} on {@code port} on loopback with {@code jvmFlags} and more serve arguments, and
     * returns once {@code /healthz} answers 200.
     */
    public static ChildServer start(Path log, int port, List<String> jvmFlags, String... serveArgs) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.wharf.Main", "serve",
                "--port", String.valueOf(port), "--bind", "127.0.0.1"));
        command.addAll(Arrays.asList(serveArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("WHARF_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD);
        ChildServer server = new ChildServer(pb.start(), "http://127.0.0.1:" + port, log);
        awaitHealthy(server.process, server.url, log);
        return server;
    }

    /** The flags bench/lib.sh (and the README) recommend, read from the script so the two cannot drift apart. */
    public static List<String> recommendedJvmFlags() throws IOException {
        String line = Files.readAllLines(Path.of("bench/lib.sh")).stream()
                .filter(l -> l.startsWith("RECOMMENDED_JVM_FLAGS=")).findFirst()
                .orElseThrow(() -> new AssertionError("bench/lib.sh defines no RECOMMENDED_JVM_FLAGS"));
        String flags = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
        assertThat(flags).contains("-XX:MaxDirectMemorySize=64m");
        return Arrays.asList(flags.split(" ", -1));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits, at most 90 s, until {@code url}/healthz answers 200; fails with the server's log if it never does. */
    public static void awaitHealthy(Process process, String url, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("server exited: " + Files.readString(log)).isTrue();
            try {
                if (new Http(url).get("/healthz").status() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server did not become healthy: " + Files.readString(log));
    }

    public String url() {
        return url;
    }

    public Process process() {
        return process;
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The heap in use right after a full collection: what the server keeps, not what it has not yet freed. */
    public long heapAfterGc() throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).start();
        String out = new String(gc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gc.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        String metrics = new Http(url).get("/metrics").body();
        Matcher m = HEAP_USED.matcher(metrics);
        long used = 0;
        while (m.find()) {
            used += (long) Double.parseDouble(m.group(1));
        }
        assertThat(used).as("heap metrics in /metrics").isPositive();
        return used;
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
