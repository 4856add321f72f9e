package dev.wharf.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code skopeo} against a test server, each run bounded in time. */
public final class Skopeo {
    private static final long TIMEOUT_SECONDS = 180;
    private static Boolean available;

    private Skopeo() {
    }

    /** The outcome of one run. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ": " + output;
        }
    }

    public static synchronized boolean available() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder("skopeo", "--version").redirectErrorStream(true).start();
                available = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
        }
        return available;
    }

    public static Result run(String... args) {
        List<String> command = new ArrayList<>();
        command.add("skopeo");
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("skopeo-", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
                // No credentials from the environment: every run says exactly which it uses.
                Path home = Files.createTempDirectory("skopeo-home-");
                pb.environment().put("HOME", home.toString());
                pb.environment().put("REGISTRY_AUTH_FILE", home.resolve("auth.json").toString());
                pb.environment().remove("DOCKER_CONFIG");
                Process p = pb.start();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("skopeo timed out after " + TIMEOUT_SECONDS + " s: " + command);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run skopeo: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code skopeo copy} from an OCI layout to the registry. */
    public static Result push(Path layout, String tag, String destination, String creds) {
        return creds == null
                ? run("copy", "--dest-tls-verify=false", "--dest-no-creds", "oci:" + layout + ":" + tag,
                "docker://" + destination)
                : run("copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:" + layout + ":" + tag,
                "docker://" + destination);
    }

    /** {@code skopeo copy} from the registry into an OCI layout. */
    public static Result pull(String source, Path layout, String tag, String creds) {
        return creds == null
                ? run("copy", "--src-tls-verify=false", "--src-no-creds", "docker://" + source,
                "oci:" + layout + ":" + tag)
                : run("copy", "--src-tls-verify=false", "--src-creds", creds, "docker://" + source,
                "oci:" + layout + ":" + tag);
    }

    public static Result delete(String reference, String creds) {
        return creds == null
                ? run("delete", "--tls-verify=false", "--no-creds", "docker://" + reference)
                : run("delete", "--tls-verify=false", "--creds", creds, "docker://" + reference);
    }

    public static Result listTags(String repository, String creds) {
        return run("list-tags", "--tls-verify=false", "--creds", creds, "docker://" + repository);
    }
}
