package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf gc}: starts a garbage collection through the admin API ({@code POST /api/v1/gc}, site admins) and
 * follows it until it ends, with a redrawn progress line on a terminal and one plain line per phase otherwise;
 * {@code wharf gc status ID} and {@code wharf gc list} show runs.
 */
@Command(name = "gc",
        description = {"Run a garbage collection on the server (site admins) and follow it until it ends.",
                "By default it reviews what was queued by deletions; --full also walks the store and the database.",
                "Stopping this command does not stop the run: see it again with `wharf gc status ID --wait`."},
        subcommands = {GcCommand.Status.class, GcCommand.ListRuns.class})
public final class GcCommand extends ClientCommand {
    static final String PATH = "/api/v1/gc";
    /** Tells the server that the CLI started the run, so that it is recorded with trigger {@code cli}. */
    static final Map<String, String> TRIGGER = Map.of("X-Wharf-Trigger", "cli");
    /** How often the run's progress is fetched. */
    static final long POLL_MILLIS = 500;
    /** How often the terminal's spinner turns between two fetches. */
    private static final long FRAME_MILLIS = 125;
    private static final int MAX_PAGE_SIZE = 100;

    @Option(names = "--dry-run", description = "Report what would be deleted, and delete nothing.")
    boolean dryRun;

    @Option(names = "--full", description = "A full sweep: also find orphans the queue cannot know of.")
    boolean full;

    @Option(names = {"-v", "--verbose"}, description = "At the end, list what was deleted (or would be).")
    boolean verbose;

    @Option(names = "--json", description = "Print only the finished run as JSON, no progress.")
    boolean json;

    @Override
    public Integer call() {
        SignedIn session = SignedIn.require(env);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dry_run", dryRun);
        body.put("full", full);
        HubClient.Response r = session.send("POST", PATH, body, TRIGGER);
        if (r.status() == 409) {
            throw CliException.api(r.problem() + " (see `wharf gc list`)");
        }
        JsonNode run = session.json(r, PATH, "this server has no garbage collection API");
        if (run == null || JsonText.text(run, "id") == null) {
            throw CliException.api("the server started a garbage collection but sent no run id");
        }
        return follow(env, session, run, verbose, json);
    }

    /**
     * Follows a run until it ends, then prints it (with its items when {@code verbose}) and returns the exit code:
     * 0 when it succeeded, 1 when it failed or was interrupted.
     */
    static int follow(Environment env, SignedIn session, JsonNode first, boolean verbose, boolean json) {
        String id = JsonText.text(first, "id");
        PrintWriter out = env.out();
        boolean live = !json && interactive(env);
        if (!json) {
            out.println(GcText.started(first));
            out.flush();
        }
        JsonNode run;
        Thread farewell = live ? farewell(out, id) : null;
        try {
            run = live ? draw(env, session, first) : log(env, session, first, json);
        } finally {
            if (farewell != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(farewell);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down, and the hook runs
                }
            }
        }
        if (verbose) {
            run = get(session, id, true);
        }
        if (json) {
            out.println(JsonText.pretty(run));
        } else {
            if (verbose) {
                items(env, run);
            }
            out.println(GcText.summary(run));
        }
        out.flush();
        if (GcText.succeeded(run)) {
            return 0;
        }
        String error = JsonText.text(run, "error");
        env.err().println("wharf: garbage collection " + id + " " + JsonText.text(run, "state")
                + (error == null || error.isBlank() ? "" : ": " + Table.clean(error)));
        env.err().flush();
        return CliException.API;
    }

    /** Polls the run until it ends, redrawing one progress line on the terminal, which it leaves blank. */
    private static JsonNode draw(Environment env, SignedIn session, JsonNode first) {
        PrintWriter out = env.out();
        String id = JsonText.text(first, "id");
        JsonNode run = first;
        int tick = 0;
        int drawn = 0;
        while (!GcText.ended(run)) {
            for (long waited = 0; waited < POLL_MILLIS; waited += FRAME_MILLIS) {
                drawn = redraw(out, GcText.progressLine(run, tick++, width(env)), drawn);
                pause(FRAME_MILLIS);
            }
            run = get(session, id, false);
        }
        redraw(out, "", drawn);
        out.print('\r');
        out.flush();
        return run;
    }

    /** Polls the run until it ends, printing a plain line each time it enters a phase (none for {@code quiet}). */
    private static JsonNode log(Environment env, SignedIn session, JsonNode first, boolean quiet) {
        String id = JsonText.text(first, "id");
        JsonNode run = first;
        String lastPhase = null;
        while (!GcText.ended(run)) {
            String phase = JsonText.text(run, "phase");
            if (!quiet && phase != null && !phase.equals(lastPhase)) {
                env.out().println(GcText.phaseLine(run));
                env.out().flush();
                lastPhase = phase;
            }
            pause(POLL_MILLIS);
            run = get(session, id, false);
        }
        return run;
    }

    /**
     * A shutdown hook, registered, that ends the progress line with where to see the run again when the user
     * interrupts the command (Ctrl-C): the run goes on on the server.
     */
    private static Thread farewell(PrintWriter out, String id) {
        Thread hook = new Thread(() -> {
            out.println();
            out.println("Stopped following; the run goes on. Follow it again with `wharf gc status " + id
                    + " --wait`.");
            out.flush();
        }, "wharf-gc-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Whether standard output is a terminal that a carriage return redraws (not a pipe, not {@code TERM=dumb}). */
    static boolean interactive(Environment env) {
        return env.terminal() != null && !"dumb".equals(env.var("TERM"));
    }

    /** The terminal's width from {@code COLUMNS} (which shells set), else 80. */
    private static int width(Environment env) {
        String columns = env.var("COLUMNS");
        try {
            return columns == null ? 80 : Math.max(20, Integer.parseInt(columns.trim()));
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** Draws {@code line} over the previous one (which was {@code drawn} long); returns its length. */
    private static int redraw(PrintWriter out, String line, int drawn) {
        out.print('\r');
        out.print(line);
        if (line.length() < drawn) {
            out.print(" ".repeat(drawn - line.length()));
        }
        out.flush();
        return line.length();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the interval between two looks at the run's progress
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.api("interrupted; the garbage collection goes on: see `wharf gc status`");
        }
    }

    static JsonNode get(SignedIn session, String id, boolean verbose) {
        JsonNode run = session.call("GET", PATH + "/" + id + (verbose ? "?verbose=true" : ""), null,
                "no garbage collection " + id);
        if (run == null || !run.isObject()) {
            throw CliException.api("the server sent no garbage collection " + id);
        }
        return run;
    }

    /** The run's items as a table, and a note on standard error when the server sent only the first of them. */
    private static void items(Environment env, JsonNode run) {
        JsonNode items = run.get("items");
        if (items == null || !items.isArray() || items.isEmpty()) {
            return;
        }
        Table table = new Table("KIND", "REPOSITORY", "NAME", "SIZE");
        for (JsonNode item : items) {
            JsonNode size = item.get("size");
            table.row(JsonText.text(item, "kind"), JsonText.text(item, "repository"), JsonText.text(item, "name"),
                    size == null || size.isNull() ? "-" : GcText.bytes(size.asLong()));
        }
        table.print(env.out());
        JsonNode truncated = run.get("items_truncated");
        if (truncated != null && truncated.asBoolean()) {
            env.err().println("The list shows the first " + items.size() + " items; the counts below include all.");
            env.err().flush();
        }
    }

    /** A run id in its canonical lower-case form; anything else is a usage error. */
    static String checkId(String raw) {
        try {
            UUID u = UUID.fromString(raw.trim());
            if (u.toString().equalsIgnoreCase(raw.trim())) {
                return u.toString();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw CliException.usage("not a garbage collection id: '" + raw + "'");
    }

    @Command(name = "status",
            description = "Show a garbage collection run: its state, phase and counters.")
    static final class Status extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The run's id, as `wharf gc` and `wharf gc list` show it.")
        String id;

        @Option(names = "--wait", description = "Follow the run until it ends, as `wharf gc` does; "
                + "the exit code is then 1 when it failed.")
        boolean await;

        @Option(names = {"-v", "--verbose"}, description = "Also list what it deleted (or would delete).")
        boolean verbose;

        @Option(names = "--json", description = "Print the run as JSON.")
        boolean json;

        @Override
        public Integer call() {
            String runId = checkId(id);
            SignedIn session = SignedIn.require(env);
            JsonNode run = get(session, runId, verbose);
            if (await && !GcText.ended(run)) {
                return follow(env, session, run, verbose, json);
            }
            if (json) {
                env.out().println(JsonText.pretty(run));
            } else {
                show(env, run);
                if (verbose) {
                    items(env, run);
                }
            }
            env.out().flush();
            return await && !GcText.succeeded(run) ? CliException.API : 0;
        }
    }

    /** One run as {@code key: value} lines. */
    private static void show(Environment env, JsonNode run) {
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("ID", JsonText.text(run, "id"));
        lines.put("State", JsonText.text(run, "state"));
        lines.put("Phase", JsonText.text(run, "phase"));
        lines.put("Mode", GcText.mode(run));
        lines.put("Trigger", JsonText.text(run, "trigger"));
        lines.put("Requested by", JsonText.text(run, "requested_by"));
        lines.put("Created", when(env, JsonText.text(run, "created_at")));
        lines.put("Started", when(env, JsonText.text(run, "started_at")));
        lines.put("Finished", when(env, JsonText.text(run, "finished_at")));
        lines.put("Duration", GcText.duration(GcText.number(run, "duration_ms")));
        lines.put("Reviewed", GcText.count(GcText.number(run, "reviewed")));
        if (run.path("full").asBoolean()) {
            lines.put("Files scanned", GcText.count(GcText.number(run, "files_scanned")));
        }
        String verb = run.path("dry_run").asBoolean() ? "Would delete" : "Deleted";
        lines.put(verb, GcText.deletions(run));
        lines.put(run.path("dry_run").asBoolean() ? "Would free" : "Freed",
                GcText.bytes(GcText.number(run, "bytes_freed")));
        lines.put("Error", JsonText.text(run, "error"));
        lines.forEach((k, v) -> env.out().println(String.format("%-15s%s", k + ":", Table.printable(v))));
    }

    private static String when(Environment env, String apiTime) {
        Instant t = Times.fromApi(apiTime);
        return t == null ? null : Times.absolute(t, env.clock()) + " (" + Times.relative(t, env.clock()) + ")";
    }

    @Command(name = "list",
            description = "List garbage collection runs, newest first.")
    static final class ListRuns extends ClientCommand {
        @Option(names = "--limit", paramLabel = "N", defaultValue = "25",
                description = "At most N runs, newest first; 0 for all (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print a JSON array of the runs instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            if (limit < 0) {
                throw CliException.usage("invalid value for --limit: " + limit
                        + " (give 0 for all, or a positive number)");
            }
            SignedIn session = SignedIn.require(env);
            int pageSize = limit == 0 ? MAX_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE);
            ArrayNode runs = JsonText.MAPPER.createArrayNode();
            long count = 0;
            for (int page = 1; limit == 0 || runs.size() < limit; page++) {
                JsonNode body = session.call("GET", PATH + "?page=" + page + "&page_size=" + pageSize, null,
                        "this server has no garbage collection API");
                JsonNode results = body == null ? null : body.get("results");
                count = body == null ? 0 : body.path("count").asLong(0);
                if (results == null || !results.isArray() || results.isEmpty()) {
                    break;
                }
                for (int i = 0; i < results.size() && (limit == 0 || runs.size() < limit); i++) {
                    runs.add(results.get(i));
                }
                if (results.size() < pageSize) {
                    break;
                }
            }
            if (json) {
                env.out().println(JsonText.pretty(runs));
            } else if (runs.isEmpty()) {
                env.out().println("No garbage collection runs.");
            } else {
                Table table = new Table("ID", "STATE", "TRIGGER", "MODE", "CREATED", "DURATION", "TAGS",
                        "MANIFESTS", "BLOBS", "FREED");
                for (JsonNode run : runs) {
                    Instant created = Times.fromApi(JsonText.text(run, "created_at"));
                    table.row(JsonText.text(run, "id"), JsonText.text(run, "state"), JsonText.text(run, "trigger"),
                            GcText.mode(run), created == null ? null : Times.absolute(created, env.clock()),
                            GcText.duration(GcText.number(run, "duration_ms")),
                            GcText.count(GcText.number(run, "tags_deleted")),
                            GcText.count(GcText.number(run, "manifests_deleted")),
                            GcText.count(GcText.number(run, "blobs_deleted")),
                            GcText.bytes(GcText.number(run, "bytes_freed")));
                }
                table.print(env.out());
            }
            env.out().flush();
            if (count > runs.size() && limit != 0) {
                env.err().println("Showing the newest " + runs.size() + " of " + count
                        + " runs; use --limit 0 for all of them.");
                env.err().flush();
            }
            return 0;
        }
    }
}
