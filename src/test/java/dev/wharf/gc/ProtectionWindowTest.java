package dev.wharf.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.NamespaceSettings;
import dev.wharf.audit.Actor;
import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Collections;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The protection window (here the default hour) on a clock the test moves: what was pushed, linked or deleted within
 * it is never collected, and is once it has passed; the background worker starts queue runs on its own.
 */
abstract class ProtectionWindowTest extends ServerTest {
    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected WharfConfig configure(WharfConfig config) {
        return config.toBuilder().gcInterval(Duration.ofMillis(200)).build();
    }

    @Test
    void nothingInsideTheWindowIsCollectedAndEverythingOutsideItIs() {
        Http admin = server.http().bearer(Sessions.adminSession(server));
        Pushes pushes = new Pushes(server.url(), "admin", TestServer.ADMIN_PASSWORD);
        String repo = "admin/" + uniqueName("window");
        byte[] layer = "a layer inside the window".getBytes(StandardCharsets.UTF_8);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"w\":\"" + repo + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        String digest = pushes.image(repo, "v1", config, List.of(layer));
        assertThat(pushes.deleteManifest(repo, digest)).isEqualTo(202);
        byte[] pending = "uploaded, its manifest not pushed yet".getBytes(StandardCharsets.UTF_8);
        pushes.upload(repo, pending);

        clock.advance(Duration.ofMinutes(59));
        // The background worker runs too; what is on disk is what counts, whichever run looked.
        JsonNode inside = Collections.run(admin, false, false);
        assertThat(inside.get("state").asText()).as("%s", inside).isEqualTo("succeeded");
        assertThat(pushes.headBlob(repo, Pushes.digest(pending))).isEqualTo(200);
        assertThat(Collections.stored(server.dataDir(), Pushes.digest(layer))).isTrue();

        clock.advance(Duration.ofMinutes(2));
        JsonNode outside = Collections.run(admin, false, false);
        assertThat(outside.get("state").asText()).as("%s", outside).isEqualTo("succeeded");
        assertThat(pushes.headBlob(repo, Pushes.digest(pending))).isEqualTo(404);
        assertThat(Collections.stored(server.dataDir(), Pushes.digest(layer))).isFalse();
        assertThat(Collections.stored(server.dataDir(), digest)).isFalse();
    }

    @Test
    void theBackgroundWorkerRunsOnItsOwn() {
        awaitRunStartedBy("schedule");
    }

    @Test
    void anOrganizationsScheduleThatCameDueStartsARun() {
        Http admin = server.http().bearer(Sessions.adminSession(server));
        String org = uniqueName("sched");
        assertThat(admin.post("/api/v1/orgs", java.util.Map.of("name", org)).status()).isEqualTo(201);
        java.time.OffsetDateTime now = clock.instant().atOffset(java.time.ZoneOffset.UTC);
        NamespaceSettings.Schedule weekly = new NamespaceSettings.Schedule(List.of(now.getDayOfWeek()),
                now.toLocalTime().minusMinutes(now.getHour() == 0 && now.getMinute() == 0 ? 0 : 1)
                        .truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
        long orgId = server.wharf().accounts().org(org).id();
        server.wharf().namespaces().save(new NamespaceSettings(orgId, List.of(), weekly, false, null, null, null),
                Actor.SYSTEM);
        awaitRunStartedBy("namespace-schedule");
    }

    private void awaitRunStartedBy(String trigger) {
        Http admin = server.http().bearer(Sessions.adminSession(server));
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            Http.Response list = admin.get("/api/v1/gc?page_size=100");
            assertThat(list.status()).isEqualTo(200);
            for (JsonNode run : list.json().get("results")) {
                if (run.get("trigger").asText().equals(trigger)) {
                    return;
                }
            }
            assertThat(System.currentTimeMillis()).as("a run started by %s within 30 s", trigger)
                    .isLessThan(deadline);
            try {
                Thread.sleep(50); // polling for the worker's run, not waiting for time to pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
