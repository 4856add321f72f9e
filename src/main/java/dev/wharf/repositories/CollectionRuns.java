package dev.wharf.repositories;

import dev.wharf.core.Nulls;
import dev.wharf.core.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The record of every collection. Each write is its own statement outside the run's transactions, so progress is
 * visible while a run goes, and a dry run's record survives the rollback of everything else it did.
 */
public final class CollectionRuns {
    /** Removals listed per run; the counters go on beyond it. */
    public static final int MAX_ITEMS = 10_000;
    private static final String ITEM_COLUMNS = "i.kind, i.repository, i.name, i.size";
    /** The removals of the run whose uuid is bound to {@code u}. */
    private static final String RUN_ITEMS = " FROM gc_run_items i JOIN gc_runs r ON r.id = i.run_id WHERE r.uuid = :u";
    private static final String COLUMNS = "id, uuid, state, trigger_kind, dry_run, full_sweep, requested_by,"
            + " created_at, started_at, finished_at, phase, reviewed, tags_deleted, manifests_deleted, blobs_deleted,"
            + " bytes_freed, files_scanned, error";

    private final Jdbi jdbi;
    private final Clock clock;

    CollectionRuns(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** A run as stored, with its row id for the item list. */
    record Stored(long rowId, CollectionRun run) {
    }

    Stored begin(CollectionRun.Trigger trigger, boolean dryRun, boolean full, String requestedBy, Long requestedById) {
        UUID uuid = UUID.randomUUID();
        OffsetDateTime now = Timestamps.now(clock);
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO gc_runs (uuid, state, trigger_kind, dry_run, full_sweep,"
                        + " requested_by, requested_by_id, created_at, started_at, phase)"
                        + " VALUES (:u, 'running', :t, :d, :f, :by, :byId, :now, :now, 'starting')")
                .bind("u", uuid).bind("t", wire(trigger)).bind("d", dryRun).bind("f", full)
                .bind("by", Nulls.text(requestedBy)).bind("byId", Nulls.bigint(requestedById)).bind("now", now)
                .execute());
        return find(uuid).orElseThrow();
    }

    /** Marks runs that were going when their node stopped; called with the collection lock held. */
    int interruptOthers(long exceptRowId) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE gc_runs SET state = 'interrupted', finished_at = :now,"
                        + " error = 'the node running it stopped' WHERE state = 'running' AND id <> :id")
                .bind("now", Timestamps.now(clock)).bind("id", exceptRowId).execute());
    }

    void progress(long rowId, String phase, CollectionRun.Totals t) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE gc_runs SET phase = :p, reviewed = :r, tags_deleted = :td,"
                        + " manifests_deleted = :md, blobs_deleted = :bd, bytes_freed = :bf, files_scanned = :fs"
                        + " WHERE id = :id")
                .bind("p", phase).bind("r", t.reviewed()).bind("td", t.tagsDeleted())
                .bind("md", t.manifestsDeleted()).bind("bd", t.blobsDeleted()).bind("bf", t.bytesFreed())
                .bind("fs", t.filesScanned()).bind("id", rowId).execute());
    }

    void finish(long rowId, CollectionRun.State state, CollectionRun.Totals t, String error) {
        progress(rowId, "done", t);
        jdbi.useHandle(h -> h.createUpdate("UPDATE gc_runs SET state = :s, finished_at = :now, error = :e"
                        + " WHERE id = :id")
                .bind("s", state.name().toLowerCase(Locale.ROOT)).bind("now", Timestamps.now(clock))
                .bind("e", Nulls.text(error == null ? null : error.substring(0, Math.min(error.length(), 1000))))
                .bind("id", rowId).execute());
    }

    /** Appends removals to a run's list, starting at {@code position}, and never beyond {@link #MAX_ITEMS}. */
    void addItems(long rowId, int position, List<CollectionRun.Item> items) {
        int room = Math.max(0, MAX_ITEMS - position);
        if (room == 0 || items.isEmpty()) {
            return;
        }
        List<CollectionRun.Item> kept = items.subList(0, Math.min(room, items.size()));
        jdbi.useHandle(h -> {
            var batch = h.prepareBatch("INSERT INTO gc_run_items (run_id, position, kind, repository, name, size)"
                    + " VALUES (:run, :pos, :k, :repo, :n, :s)");
            int pos = position;
            for (CollectionRun.Item item : kept) {
                // Typed binds: a batch's rows must agree on each parameter's type, null or not.
                batch.bind("run", rowId).bind("pos", pos++).bind("k", item.kind())
                        .bindByType("repo", item.repository(), String.class).bind("n", item.name())
                        .bindByType("s", item.size(), Long.class).add();
            }
            batch.execute();
        });
    }

    public Optional<CollectionRun> get(UUID id) {
        return find(id).map(Stored::run);
    }

    Optional<Stored> find(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM gc_runs WHERE uuid = :u")
                .bind("u", id).map(CollectionRuns::map).findOne());
    }

    /** A page of runs, newest first. */
    public Page page(int page, int pageSize) {
        return jdbi.withHandle(h -> new Page(h.createQuery("SELECT COUNT(*) FROM gc_runs").mapTo(Long.class).one(),
                h.createQuery("SELECT " + COLUMNS + " FROM gc_runs ORDER BY created_at DESC, id DESC"
                                + " LIMIT :n OFFSET :o")
                        .bind("n", pageSize).bind("o", (long) (page - 1) * pageSize)
                        .map(CollectionRuns::map).map(Stored::run).list()));
    }

    /** A page of runs and how many there are. */
    public record Page(long total, List<CollectionRun> runs) {
    }

    /** The removals a run listed, in order; at most {@link #MAX_ITEMS}. */
    public List<CollectionRun.Item> items(UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + ITEM_COLUMNS + RUN_ITEMS + " ORDER BY i.position")
                .bind("u", id).map(CollectionRuns::item).list());
    }

    /** The removals a run listed, {@code limit} of them from {@code offset}, and how many it listed in all. */
    public ItemPage items(UUID id, long offset, int limit) {
        return jdbi.withHandle(h -> new ItemPage(
                h.createQuery("SELECT COUNT(*)" + RUN_ITEMS).bind("u", id).mapTo(Long.class).one(),
                h.createQuery("SELECT " + ITEM_COLUMNS + RUN_ITEMS + " ORDER BY i.position LIMIT :n OFFSET :o")
                        .bind("u", id).bind("n", limit).bind("o", offset).map(CollectionRuns::item).list()));
    }

    /** A page of a run's removals and how many it listed. */
    public record ItemPage(long total, List<CollectionRun.Item> items) {
    }

    private static CollectionRun.Item item(ResultSet rs, StatementContext ctx) throws SQLException {
        return new CollectionRun.Item(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, Long.class));
    }

    /** When a run that {@code trigger} started was last begun, if ever. */
    Optional<OffsetDateTime> lastBegun(CollectionRun.Trigger trigger) {
        return jdbi.withHandle(h -> h.createQuery("SELECT MAX(created_at) FROM gc_runs WHERE trigger_kind = :t")
                .bind("t", wire(trigger)).mapTo(OffsetDateTime.class).findOne());
    }

    static String wire(CollectionRun.Trigger trigger) {
        return trigger.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Stored map(ResultSet rs, StatementContext ctx) throws SQLException {
        CollectionRun.Totals totals = new CollectionRun.Totals(rs.getLong("reviewed"), rs.getLong("tags_deleted"),
                rs.getLong("manifests_deleted"), rs.getLong("blobs_deleted"), rs.getLong("bytes_freed"),
                rs.getLong("files_scanned"));
        CollectionRun run = new CollectionRun(rs.getObject("uuid", UUID.class),
                CollectionRun.State.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
                CollectionRun.Trigger.valueOf(rs.getString("trigger_kind").toUpperCase(Locale.ROOT).replace('-', '_')),
                rs.getBoolean("dry_run"), rs.getBoolean("full_sweep"), rs.getString("requested_by"),
                rs.getObject("created_at", OffsetDateTime.class), rs.getObject("started_at", OffsetDateTime.class),
                rs.getObject("finished_at", OffsetDateTime.class), rs.getString("phase"), totals,
                rs.getString("error"));
        return new Stored(rs.getLong("id"), run);
    }
}
