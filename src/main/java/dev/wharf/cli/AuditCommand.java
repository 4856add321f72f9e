package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf audit}: an account's audit log, from {@code GET /v2/auditlogs/{account}}, newest first. */
@Command(name = "audit",
        description = "Show an account's audit log, newest first: your own, or that of an organization you own.")
public final class AuditCommand extends ClientCommand {
    private static final int MAX_PAGE_SIZE = 100;

    @Parameters(arity = "0..1", paramLabel = "ACCOUNT", description = "User or organization (default: you).")
    String account;

    @Option(names = "--action", paramLabel = "ACTION", description = "Only this action, e.g. user.access_token.create.")
    String action;

    @Option(names = "--name", paramLabel = "NAME", description = "Only events about this name (repo, org, member).")
    String name;

    @Option(names = "--actor", paramLabel = "USER", description = "Only events done by this user.")
    String actor;

    @Option(names = "--from", paramLabel = "WHEN",
            description = "Only events at or after WHEN: a date, an RFC 3339 time, or a duration ago (7d, 12h).")
    String from;

    @Option(names = "--to", paramLabel = "WHEN", description = "Only events at or before WHEN (same forms as --from).")
    String to;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most N events, newest first; 0 for all (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print a JSON array of the events instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw CliException.usage("invalid value for --limit: " + limit + " (give 0 for all, or a positive number)");
        }
        if (account != null && !account.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw CliException.usage("not an account name: '" + account + "'");
        }
        Instant since = from == null ? null : Times.parse(from, "--from", env.clock(), false);
        Instant until = to == null ? null : Times.parse(to, "--to", env.clock(), false);
        if (since != null && until != null && since.isAfter(until)) {
            throw CliException.usage("--from is after --to");
        }
        SignedIn session = SignedIn.require(env);
        String who = account != null ? account : session.username();
        StringBuilder filters = new StringBuilder();
        param(filters, "action", action);
        param(filters, "name", name);
        param(filters, "actor", actor);
        param(filters, "from", since == null ? null : Times.wire(since));
        param(filters, "to", until == null ? null : Times.wire(until));

        int pageSize = limit == 0 ? MAX_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE);
        String path = "/v2/auditlogs/" + who + "?page_size=";
        List<JsonNode> events = new ArrayList<>();
        boolean more = false;
        for (int page = 1; ; page++) {
            JsonNode logs = logs(session, path + pageSize + "&page=" + page + filters);
            int taken = 0;
            for (; taken < logs.size() && (limit == 0 || events.size() < limit); taken++) {
                events.add(logs.get(taken));
            }
            if (limit != 0 && events.size() >= limit) {
                more = taken < logs.size() || !logs(session, path + "1&page=" + (limit + 1) + filters).isEmpty();
                break;
            }
            if (logs.size() < pageSize) {
                break;
            }
        }
        if (json) {
            ArrayNode array = JsonText.MAPPER.createArrayNode();
            events.forEach(array::add);
            env.out().println(JsonText.pretty(array));
        } else if (events.isEmpty()) {
            env.out().println("No audit events.");
        } else {
            Table table = new Table("TIME", "ACTION", "NAME", "ACTOR", "DESCRIPTION");
            for (JsonNode e : events) {
                Instant at = Times.fromApi(JsonText.text(e, "timestamp"));
                table.row(at == null ? JsonText.text(e, "timestamp") : Times.absolute(at, env.clock()),
                        JsonText.text(e, "action"), JsonText.text(e, "name"), JsonText.text(e, "actor"),
                        JsonText.text(e, "action_description"));
            }
            table.print(env.out());
        }
        if (more) {
            env.err().println("Showing the newest " + limit + " events; use --limit 0 for all of them.");
            env.err().flush();
        }
        return 0;
    }

    private JsonNode logs(SignedIn session, String pathAndQuery) {
        JsonNode body = session.call("GET", pathAndQuery, null, null);
        JsonNode logs = body == null ? null : body.get("logs");
        return logs != null && logs.isArray() ? logs : JsonText.MAPPER.createArrayNode();
    }

    private static void param(StringBuilder query, String key, String value) {
        if (value != null && !value.isBlank()) {
            query.append('&').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
