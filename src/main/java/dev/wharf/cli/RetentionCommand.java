package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf retention}: the retention policy of a repository ({@code NAMESPACE/REPO}) or the default of a
 * namespace ({@code NAMESPACE}), over Wharf's admin API ({@code /api/v1/.../retention}).
 */
@Command(name = "retention", mixinStandardHelpOptions = true, versionProvider = dev.wharf.Main.Version.class,
        description = "Show, set, delete or try the retention policy of a repository or a namespace's default.",
        subcommands = {RetentionCommand.Show.class, RetentionCommand.Set.class, RetentionCommand.Delete.class,
                RetentionCommand.Try.class})
public final class RetentionCommand {
    private RetentionCommand() {
    }

    /** A command about one target: {@code NAMESPACE} or {@code NAMESPACE/REPO}. */
    abstract static class Target extends ClientCommand {
        @Parameters(paramLabel = "NAMESPACE[/REPO]", description = "A repository, or a namespace for its default.")
        String target;

        String path() {
            String t = target.trim().toLowerCase(Locale.ROOT);
            if (!t.matches("[a-z0-9][a-z0-9._/-]{0,254}") || t.endsWith("/") || t.contains("//")) {
                throw CliException.usage("not a namespace or repository: '" + target + "'");
            }
            return (t.contains("/") ? "/api/v1/repositories/" : "/api/v1/namespaces/") + t + "/retention";
        }

        String notFound() {
            return "no retention policy for '" + target + "' (or no such repository or namespace)";
        }
    }

    @Command(name = "show", description = "Show the policy (a repository's own, or the namespace default it inherits).")
    static final class Show extends Target {
        @Option(names = "--json", description = "Print the policy as JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(env, SignedIn.require(env).call("GET", path(), null, notFound()), json);
            return 0;
        }
    }

    @Command(name = "set", description = "Set the policy; it replaces the previous one as a whole.")
    static final class Set extends Target {
        @Option(names = "--keep-pattern", paramLabel = "REGEX",
                description = "Tags matching this regular expression beyond the newest --keep-count go.")
        String keepPattern;

        @Option(names = "--keep-count", paramLabel = "N", description = "How many matching tags stay (1-10000).")
        Integer keepCount;

        @Option(names = "--unpulled-days", paramLabel = "DAYS", description = "Tags not pulled for DAYS go.")
        Integer unpulledDays;

        @Option(names = "--untagged-days", paramLabel = "DAYS",
                description = "Untagged manifests older than DAYS go.")
        Integer untaggedDays;

        @Option(names = "--json", description = "Print the stored policy as JSON.")
        boolean json;

        @Override
        public Integer call() {
            if ((keepPattern == null) != (keepCount == null)) {
                throw CliException.usage("--keep-pattern and --keep-count go together");
            }
            if (keepPattern == null && unpulledDays == null && untaggedDays == null) {
                throw CliException.usage("give --keep-pattern with --keep-count, --unpulled-days or --untagged-days");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("keep_pattern", keepPattern);
            body.put("keep_count", keepCount);
            body.put("unpulled_days", unpulledDays);
            body.put("untagged_days", untaggedDays);
            JsonNode stored = SignedIn.require(env).call("PUT", path(), body,
                    "no repository or namespace '" + target + "'");
            print(env, stored, json);
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete the policy (a repository then inherits its namespace's default).")
    static final class Delete extends Target {
        @Override
        public Integer call() {
            SignedIn.require(env).call("DELETE", path(), null, "no repository or namespace '" + target + "'");
            env.out().println("Deleted the retention policy of " + target.trim() + ".");
            return 0;
        }
    }

    @Command(name = "try", description = "List what the policy would remove now (a dry run: nothing is deleted).")
    static final class Try extends Target {
        @Option(names = "--json", description = "Print the dry run as JSON.")
        boolean json;

        @Override
        public Integer call() {
            JsonNode plan = SignedIn.require(env).call("POST", path() + "/dry-run", null,
                    "no repository or namespace '" + target + "'");
            if (json) {
                env.out().println(JsonText.pretty(plan));
                return 0;
            }
            JsonNode repos = plan.has("repositories") ? plan.get("repositories")
                    : JsonText.MAPPER.createArrayNode().add(plan);
            Table table = new Table("REPOSITORY", "KIND", "NAME", "DIGEST");
            int rows = 0;
            for (JsonNode r : repos) {
                String repo = JsonText.text(r, "repository");
                for (JsonNode t : r.path("tags")) {
                    table.row(repo, "tag", JsonText.text(t, "tag"), JsonText.text(t, "digest"));
                    rows++;
                }
                for (JsonNode m : r.path("untagged_manifests")) {
                    table.row(repo, "manifest", "-", JsonText.text(m, "digest"));
                    rows++;
                }
            }
            if (rows == 0) {
                env.out().println("Nothing to remove.");
            } else {
                table.print(env.out());
            }
            return 0;
        }
    }

    private static void print(Environment env, JsonNode p, boolean json) {
        if (json) {
            env.out().println(JsonText.pretty(p));
            return;
        }
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("Keep", p.path("keep_pattern").isNull() ? "-"
                : "newest " + JsonText.text(p, "keep_count") + " matching " + JsonText.text(p, "keep_pattern"));
        lines.put("Unpulled", days(p, "unpulled_days"));
        lines.put("Untagged", days(p, "untagged_days"));
        if (p.path("inherited").asBoolean(false)) {
            lines.put("Inherited", "yes, the namespace's default");
        }
        lines.put("Updated by", JsonText.text(p, "updated_by"));
        lines.put("Updated", JsonText.text(p, "updated_at"));
        lines.forEach((k, v) -> env.out().println(String.format("%-12s%s", k + ":", Table.printable(v))));
        env.out().flush();
    }

    private static String days(JsonNode p, String field) {
        JsonNode d = p.get(field);
        return d == null || d.isNull() ? "-" : "after " + d.asText() + " days";
    }
}
