package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared checks for CLI tests. */
final class CliAssertions {
    private static final AtomicInteger USERS = new AtomicInteger();

    private CliAssertions() {
    }

    /** An expected failure: the exit code, nothing on stdout, and one readable line on stderr, no stack trace. */
    static void failsWithOneLine(CliRunner.Result r, int exit, String containing) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(exit);
        assertThat(r.out()).as(r.toString()).isEmpty();
        assertThat(r.errLines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).startsWith("wharf: ").contains(containing)
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** A fresh, valid username (Docker ID rules: lowercase letters and digits). */
    static String newUsername(String prefix) {
        return prefix + System.nanoTime() % 100000 + USERS.incrementAndGet();
    }

    /** A loopback URL on which nothing listens. */
    static String closedPortUrl() {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
