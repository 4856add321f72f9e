package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.ChildServer;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf serve} sent SIGTERM with a slow request in flight, as an orchestrator stops a node: {@code /readyz}
 * turns 503 while {@code /healthz} stays 200 and requests are still served for the drain period; then no connection
 * is accepted, the request in flight still completes, and the process exits 0.
 */
@Timeout(120)
class DrainTest {
    private static final Duration DRAIN = Duration.ofSeconds(3);
    /** What stopping may take beyond the drain period: the in-flight request, the workers, the pool. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void sigtermReportsNotReadyForTheDrainPeriodThenFinishesTheRequestInFlightAndExitsZero() throws Exception {
        int port = ChildServer.freePort();
        try (ChildServer child = ChildServer.start(dir.resolve("wharf.log"), port, List.of(),
                "--data-dir", dir.resolve("data").toString(), "--drain-period", DRAIN.toSeconds() + "s");
             Socket slow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            Http http = new Http(child.url());
            assertThat(http.get("/readyz").json().path("status").asText()).isEqualTo("ok");
            slow.setSoTimeout(30_000);
            OutputStream out = slow.getOutputStream();
            String body = "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}";
            out.write(("POST /v2/users/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                    + body.substring(0, 10)).getBytes(StandardCharsets.UTF_8));
            out.flush();

            long signalled = System.nanoTime();
            child.process().destroy(); // SIGTERM
            Http.Response ready = poll(() -> http.get("/readyz"), r -> r.status() == 503, "/readyz 503");
            assertThat(ready.json().path("status").asText()).isEqualTo("draining");
            assertThat(ready.json().path("database").asText()).isEqualTo("ok");
            Http.Response health = http.get("/healthz");
            assertThat(health.status()).as("alive while draining: %s", health).isEqualTo(200);

            poll(() -> accepts(port), accepting -> !accepting, "no new connections");
            assertThat(elapsed(signalled)).as("connections accepted for the whole drain period")
                    .isGreaterThanOrEqualTo(DRAIN);
            assertThat(child.process().isAlive()).as("waits for the request in flight").isTrue();

            out.write(body.substring(10).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = slow.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").contains("\"token\"");

            assertThat(child.process().waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)).as(child.log()).isTrue();
            assertThat(elapsed(signalled)).isLessThan(DRAIN.plus(STOP_BOUND));
            assertThat(child.process().exitValue()).as(child.log()).isZero();
            assertThat(child.log()).contains("draining: /readyz answers 503");
        }
    }

    private static Duration elapsed(long since) {
        return Duration.ofNanos(System.nanoTime() - since);
    }

    /** Whether the server still accepts a new connection. */
    private static boolean accepts(int port) {
        try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return probe.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    /** Asks until the answer is the awaited one, for at most the drain period and the stop bound. */
    private static <T> T poll(java.util.function.Supplier<T> ask, java.util.function.Predicate<T> awaited,
                              String what) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN.plus(STOP_BOUND).toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = ask.get();
            if (awaited.test(last)) {
                return last;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never saw " + what + "; last: " + last);
    }
}
