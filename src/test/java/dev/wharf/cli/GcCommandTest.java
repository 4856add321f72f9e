package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static dev.wharf.cli.CliAssertions.newUsername;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Collections;
import dev.wharf.testing.Http;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code wharf gc} against a real server with no protection window, signed in as the site admin. */
class GcCommandTest extends ServerCliTest {
    @Override
    WharfConfig configure(WharfConfig config) {
        return config.toBuilder().gcProtectionWindow(Duration.ZERO).gcInterval(Duration.ZERO).build();
    }

    private void loginAsAdmin() {
        cli.login(server.url(), "admin", TestServer.ADMIN_PASSWORD);
    }

    private Http admin() {
        return server.http().bearer(Sessions.adminSession(server));
    }

    private JsonNode serverRun(String id) {
        return admin().get("/api/v1/gc/" + id).json();
    }

    /** Pushes an image and deletes it; returns the digest of the layer only it had. */
    private String garbage(String repo) {
        Pushes p = new Pushes(server.url(), "admin", TestServer.ADMIN_PASSWORD);
        byte[] layer = ("layer of " + repo).getBytes(StandardCharsets.UTF_8);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"r\":\"" + repo + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        String manifest = p.image(repo, "gone", config, List.of(layer));
        assertThat(p.deleteManifest(repo, manifest)).isEqualTo(202);
        return Pushes.digest(layer);
    }

    private static String idIn(String startedLine) {
        String id = startedLine.replaceFirst("^(Dry run|Garbage collection) ([0-9a-f-]{36}) started .*$", "$2");
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        return id;
    }

    @Test
    void aDryRunDeletesNothingAndTheRealOneListsWhatItDeleted() {
        loginAsAdmin();
        String repo = "admin/" + newUsername("gc");
        String layer = garbage(repo);

        CliRunner.Result dry = cli.run("gc", "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).as("plain lines off a terminal").doesNotContain("\r");
        List<String> lines = dry.out().lines().toList();
        assertThat(lines.get(0)).matches("Dry run \\S+ started \\(dry run, queued items\\)\\.");
        String dryId = idIn(lines.get(0));
        JsonNode dryRun = serverRun(dryId);
        assertThat(dryRun.get("trigger").asText()).isEqualTo("cli");
        assertThat(dryRun.get("dry_run").asBoolean()).isTrue();
        assertThat(dryRun.get("blobs_deleted").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(lines.get(lines.size() - 1)).isEqualTo(GcText.summary(dryRun))
                .matches("Dry run succeeded in .+: would delete \\d+ tags?, \\d+ manifests? and \\d+ blobs?, "
                        + "would free \\d.* (B|KiB)\\. Nothing was deleted\\.");
        assertThat(Collections.stored(server.dataDir(), layer)).as("a dry run deletes nothing").isTrue();

        CliRunner.Result real = cli.run("gc", "--verbose");
        assertThat(real.exit()).as(real.toString()).isZero();
        lines = real.out().lines().toList();
        JsonNode realRun = serverRun(idIn(lines.get(0)));
        assertThat(realRun.get("dry_run").asBoolean()).isFalse();
        assertThat(realRun.get("blobs_deleted").asLong()).isEqualTo(dryRun.get("blobs_deleted").asLong());
        assertThat(lines).anyMatch(l -> l.matches("KIND +REPOSITORY +NAME +SIZE"));
        assertThat(lines).anyMatch(l -> l.matches("blob +- +" + layer + " +\\d+ B"));
        assertThat(lines.get(lines.size() - 1)).isEqualTo(GcText.summary(realRun))
                .startsWith("Garbage collection succeeded in ").contains(", freed ");
        assertThat(Collections.stored(server.dataDir(), layer)).isFalse();
    }

    @Test
    void onATerminalOneLineIsRedrawnAndThenCleared() {
        loginAsAdmin();
        garbage("admin/" + newUsername("gc"));
        cli.terminal = new CliRunner.FakeTerminal();

        CliRunner.Result r = cli.run("gc", "--full");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = List.of(r.out().split("\n"));
        assertThat(lines).as("carriage returns only, until the summary").hasSize(2);
        assertThat(lines.get(0)).matches("Garbage collection \\S+ started \\(full sweep\\)\\.");
        assertThat(lines.get(1)).startsWith("\r| ").contains("\r/ ").contains(": scanned ");
        String last = lines.get(1).substring(lines.get(1).lastIndexOf('\r') + 1);
        assertThat(last).isEqualTo(GcText.summary(serverRun(idIn(lines.get(0)))));
        String beforeLast = lines.get(1).substring(0, lines.get(1).lastIndexOf('\r'));
        assertThat(beforeLast.substring(beforeLast.lastIndexOf('\r') + 1)).as("the progress line is blanked")
                .isBlank();

        cli.vars.put("TERM", "dumb");
        CliRunner.Result dumb = cli.run("gc");
        assertThat(dumb.exit()).as(dumb.toString()).isZero();
        assertThat(dumb.out()).doesNotContain("\r");
    }

    @Test
    void jsonPrintsOnlyTheFinishedRun() {
        loginAsAdmin();
        CliRunner.Result r = cli.run("gc", "--json", "--full", "--verbose");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        JsonNode run = JsonText.parseOrNull(r.out());
        assertThat(run).as(r.out()).isNotNull();
        assertThat(run.get("state").asText()).isEqualTo("succeeded");
        assertThat(run.get("trigger").asText()).isEqualTo("cli");
        assertThat(run.get("full").asBoolean()).isTrue();
        assertThat(run.get("items").isArray()).isTrue();
    }

    @Test
    void statusAndListShowRuns() {
        loginAsAdmin();
        String id = JsonText.parseOrNull(cli.run("gc", "--json").out()).get("id").asText();

        CliRunner.Result status = cli.run("gc", "status", id);
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out().lines()).contains("ID:            " + id, "State:         succeeded",
                "Mode:          queued items", "Trigger:       cli", "Requested by:  admin", "Error:         -");
        assertThat(status.out()).containsPattern("(?m)^Deleted: +\\d+ tags?, \\d+ manifests? and \\d+ blobs?$")
                .containsPattern("(?m)^Freed: +\\d");
        assertThat(cli.run("gc", "status", id, "--wait").exit()).as("an ended run: nothing to wait for").isZero();
        JsonNode json = JsonText.parseOrNull(cli.run("gc", "status", id.toUpperCase(java.util.Locale.ROOT),
                "--json").out());
        assertThat(json.get("id").asText()).isEqualTo(id);

        CliRunner.Result list = cli.run("gc", "list");
        assertThat(list.exit()).as(list.toString()).isZero();
        List<String> lines = list.out().lines().toList();
        assertThat(lines.get(0)).matches("ID +STATE +TRIGGER +MODE +CREATED +DURATION +TAGS +MANIFESTS +BLOBS +FREED");
        assertThat(lines.get(1)).as("newest first").matches(id + " +succeeded +cli +queued items +\\d{4}-.*");
        JsonNode one = JsonText.parseOrNull(cli.run("gc", "list", "--limit", "1", "--json").out());
        assertThat(one).hasSize(1);
        assertThat(one.get(0).get("id").asText()).isEqualTo(id);
        CliRunner.Result limited = cli.run("gc", "list", "--limit", "1");
        if (serverRunCount() > 1) {
            assertThat(limited.err()).contains("Showing the newest 1 of ").contains("--limit 0");
        }

        failsWithOneLine(cli.run("gc", "status", "nope"), 2, "not a garbage collection id: 'nope'");
        String unknown = UUID.randomUUID().toString();
        failsWithOneLine(cli.run("gc", "status", unknown), 1, "no garbage collection " + unknown);
        failsWithOneLine(cli.run("gc", "list", "--limit", "-1"), 2, "invalid value for --limit");
    }

    private long serverRunCount() {
        return admin().get("/api/v1/gc").json().get("count").asLong();
    }

    @Test
    void onlySiteAdminsMayCollect() {
        failsWithOneLine(cli.run("gc"), 1, "not logged in: run `wharf login`");
        login();
        failsWithOneLine(cli.run("gc"), 1, "permission denied");
        failsWithOneLine(cli.run("gc", "list"), 1, "permission denied");
    }
}
