package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class GcTextTest {
    private static JsonNode run(String state, boolean dryRun, boolean full, String phase) {
        return JsonText.parseOrNull("{\"id\": \"6f1c2a34-0000-4000-8000-000000000001\", \"state\": \"" + state
                + "\", \"trigger\": \"cli\", \"dry_run\": " + dryRun + ", \"full\": " + full + ", \"phase\": "
                + (phase == null ? "null" : "\"" + phase + "\"") + ", \"reviewed\": 12345, \"tags_deleted\": 1,"
                + " \"manifests_deleted\": 3, \"blobs_deleted\": 1204, \"bytes_freed\": 13002342,"
                + " \"files_scanned\": 98765, \"duration_ms\": 2450, \"error\": null}");
    }

    @Test
    void bytesInBinaryUnits() {
        assertThat(GcText.bytes(0)).isEqualTo("0 B");
        assertThat(GcText.bytes(1023)).isEqualTo("1023 B");
        assertThat(GcText.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(GcText.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(GcText.bytes(13_002_342)).isEqualTo("12.4 MiB");
        assertThat(GcText.bytes(1024L * 1024 - 1)).as("rounds up into the next unit").isEqualTo("1.0 MiB");
        assertThat(GcText.bytes(5L * 1024 * 1024 * 1024 * 1024)).isEqualTo("5.0 TiB");
        assertThat(GcText.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
        assertThat(GcText.bytes(-1)).isEqualTo("-");
    }

    @Test
    void durationsReadLikeAStopwatch() {
        assertThat(GcText.duration(0)).isEqualTo("0 ms");
        assertThat(GcText.duration(850)).isEqualTo("850 ms");
        assertThat(GcText.duration(2450)).isEqualTo("2.4 s");
        assertThat(GcText.duration(59_999)).isEqualTo("59.9 s");
        assertThat(GcText.duration(125_000)).isEqualTo("2m 05s");
        assertThat(GcText.duration(3_720_000)).isEqualTo("1h 02m");
        assertThat(GcText.duration(-5)).isEqualTo("0 ms");
    }

    @Test
    void theProgressLineTurnsAndNeverWraps() {
        JsonNode r = run("running", false, false, "reviewing");
        assertThat(GcText.progressLine(r, 0, 200)).isEqualTo(
                "| reviewing 2.4 s: reviewed 12,345, deleted 1 tag, 3 manifests and 1,204 blobs (12.4 MiB)");
        assertThat(GcText.progressLine(r, 1, 200)).startsWith("/ reviewing");
        assertThat(GcText.progressLine(r, 2, 200)).startsWith("- reviewing");
        assertThat(GcText.progressLine(r, 3, 200)).startsWith("\\ reviewing");
        assertThat(GcText.progressLine(r, 4, 200)).startsWith("| reviewing");
        String narrow = GcText.progressLine(r, 0, 40);
        assertThat(narrow).hasSize(39).endsWith("...");

        JsonNode full = run("running", true, true, "scanning the store");
        assertThat(GcText.progressLine(full, 0, 200)).isEqualTo("| scanning the store 2.4 s: scanned 98,765 files, "
                + "reviewed 12,345, would delete 1 tag, 3 manifests and 1,204 blobs (12.4 MiB)");
    }

    @Test
    void plainLinesNameThePhase() {
        assertThat(GcText.phaseLine(run("running", false, false, "reviewing")))
                .isEqualTo("reviewing: reviewed 12,345, deleted 1 tag, 3 manifests and 1,204 blobs (12.4 MiB)");
        assertThat(GcText.phaseLine(run("running", false, false, null))).startsWith("running: ");
        assertThat(GcText.phaseLine(run("running", false, false, "evil\\u001b[2J"))).startsWith("evil?[2J: ");
        assertThat(GcText.started(run("running", true, true, null)))
                .isEqualTo("Dry run 6f1c2a34-0000-4000-8000-000000000001 started (dry run, full sweep).");
        assertThat(GcText.started(run("running", false, false, null)))
                .isEqualTo("Garbage collection 6f1c2a34-0000-4000-8000-000000000001 started (queued items).");
    }

    @Test
    void theSummarySaysHowItEndedWhatWentAndHowLongItTook() {
        assertThat(GcText.summary(run("succeeded", false, false, "done"))).isEqualTo("Garbage collection succeeded"
                + " in 2.4 s: deleted 1 tag, 3 manifests and 1,204 blobs, freed 12.4 MiB.");
        assertThat(GcText.summary(run("succeeded", true, false, "done"))).isEqualTo("Dry run succeeded in 2.4 s:"
                + " would delete 1 tag, 3 manifests and 1,204 blobs, would free 12.4 MiB. Nothing was deleted.");
        assertThat(GcText.summary(run("failed", false, true, "reviewing"))).isEqualTo("Garbage collection failed"
                + " after 2.4 s: deleted 1 tag, 3 manifests and 1,204 blobs, freed 12.4 MiB.");
        assertThat(GcText.summary(run("interrupted", false, false, "reviewing")))
                .startsWith("Garbage collection was interrupted after 2.4 s: deleted");
    }

    @Test
    void onlySucceededFailedAndInterruptedAreTheEnd() {
        assertThat(GcText.ended(run("queued", false, false, null))).isFalse();
        assertThat(GcText.ended(run("running", false, false, null))).isFalse();
        assertThat(GcText.ended(run("succeeded", false, false, null))).isTrue();
        assertThat(GcText.ended(run("failed", false, false, null))).isTrue();
        assertThat(GcText.ended(run("interrupted", false, false, null))).isTrue();
        assertThat(GcText.succeeded(run("failed", false, false, null))).isFalse();
    }
}
