package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A {@code wharf serve} process that a test started itself (to kill it, or to run it with other JVM flags). */
public final class ChildServer {
    private ChildServer() {
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
}
