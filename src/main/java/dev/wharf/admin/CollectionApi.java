package dev.wharf.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.core.Validation;
import dev.wharf.http.Json;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.CollectionRun;
import dev.wharf.repositories.CollectionRuns;
import dev.wharf.repositories.GarbageCollector;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Garbage collection in the admin API, for site admins: {@code POST /api/v1/gc} starts a run ({@code dry_run},
 * {@code full}) and answers 202 with it; {@code GET /api/v1/gc/{id}} shows its progress and totals (and, with
 * {@code verbose=true}, what it removed); {@code GET /api/v1/gc} lists runs, newest first.
 */
public final class CollectionApi {
    /** Sent by {@code wharf gc}, so that the run records that the CLI started it. */
    static final String TRIGGER_HEADER = "X-Wharf-Trigger";
    private static final int MAX_PAGE_SIZE = 100;

    private final GarbageCollector collector;
    private final Requests requests;
    private final Clock clock;

    public CollectionApi(GarbageCollector collector, Requests requests, Clock clock) {
        this.collector = collector;
        this.requests = requests;
        this.clock = clock;
    }

    private record Start(@JsonProperty("dry_run") Boolean dryRun, Boolean full) {
    }

    void start(Context ctx) {
        Principal p = AdminApi.caller(ctx);
        Start body = AdminApi.hasBody(ctx) ? requests.body(ctx, Start.class) : new Start(null, null);
        CollectionRun.Trigger trigger = "cli".equalsIgnoreCase(ctx.header(TRIGGER_HEADER))
                ? CollectionRun.Trigger.CLI : CollectionRun.Trigger.API;
        CollectionRun run = collector.start(new GarbageCollector.Request(trigger,
                Boolean.TRUE.equals(body.dryRun()), Boolean.TRUE.equals(body.full()), p.account().logOwner(),
                p.actor()));
        ctx.status(202).header("Location", "/api/v1/gc/" + run.id()).json(json(run));
    }

    void show(Context ctx) {
        UUID id = runId(Routed.parameter(ctx, "id"));
        CollectionRun run = collector.runs().get(id)
                .orElseThrow(() -> new DomainException.NotFound("garbage collection not found"));
        Map<String, Object> out = json(run);
        if ("true".equalsIgnoreCase(ctx.queryParam("verbose"))) {
            List<CollectionRun.Item> items = collector.runs().items(id);
            out.put("items", items.stream().map(CollectionApi::json).toList());
            out.put("items_truncated", items.size() >= CollectionRuns.MAX_ITEMS);
        }
        ctx.json(out);
    }

    void list(Context ctx) {
        int page = number(ctx, "page", 1, Integer.MAX_VALUE, 1);
        int size = number(ctx, "page_size", 1, MAX_PAGE_SIZE, 25);
        CollectionRuns.Page runs = collector.runs().page(page, size);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", runs.total());
        out.put("results", runs.runs().stream().map(this::json).toList());
        ctx.json(out);
    }

    private Map<String, Object> json(CollectionRun run) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", run.id().toString());
        out.put("state", run.state().name().toLowerCase(Locale.ROOT));
        out.put("trigger", run.trigger().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        out.put("dry_run", run.dryRun());
        out.put("full", run.full());
        out.put("requested_by", run.requestedBy());
        out.put("created_at", Json.time(run.createdAt()));
        out.put("started_at", Json.time(run.startedAt()));
        out.put("finished_at", Json.time(run.finishedAt()));
        out.put("phase", run.phase());
        CollectionRun.Totals t = run.totals();
        out.put("reviewed", t.reviewed());
        out.put("tags_deleted", t.tagsDeleted());
        out.put("manifests_deleted", t.manifestsDeleted());
        out.put("blobs_deleted", t.blobsDeleted());
        out.put("bytes_freed", t.bytesFreed());
        out.put("files_scanned", t.filesScanned());
        out.put("duration_ms", run.duration(Timestamps.now(clock)).toMillis());
        out.put("error", run.error());
        return out;
    }

    private static Map<String, Object> json(CollectionRun.Item item) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", item.kind());
        out.put("repository", item.repository());
        out.put("name", item.name());
        out.put("size", item.size());
        return out;
    }

    private static UUID runId(String raw) {
        try {
            UUID id = UUID.fromString(raw);
            if (id.toString().equalsIgnoreCase(raw)) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // falls through: not a run id
        }
        throw new DomainException.NotFound("garbage collection not found");
    }

    private static int number(Context ctx, String name, int min, int max, int fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        int value = -1;
        try {
            value = raw.length() <= 10 ? Integer.parseInt(raw.trim()) : -1;
        } catch (NumberFormatException e) {
            // reported below
        }
        new Validation().check(value >= min && value <= max, name,
                "A valid integer from " + min + " to " + max + " is required.").throwIfInvalid();
        return value;
    }
}
