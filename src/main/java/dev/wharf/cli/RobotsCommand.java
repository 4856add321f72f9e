package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf robots}: an organization's robot credentials, over the Docker Hub organization-access-token API
 * ({@code /v2/orgs/ORG/access-tokens}) and Wharf's rotation endpoint. A resource is written {@code GLOB:ACTIONS}:
 * {@code myorg/app-*:pull,push} for repositories, {@code myorg:list} for the organization itself.
 */
@Command(name = "robots", mixinStandardHelpOptions = true, versionProvider = dev.wharf.Main.Version.class,
        description = "Manage an organization's robot tokens (Docker Hub organization access tokens).",
        subcommands = {RobotsCommand.ListRobots.class, RobotsCommand.CreateRobot.class, RobotsCommand.GetRobot.class,
                RobotsCommand.UpdateRobot.class, RobotsCommand.DeleteRobot.class, RobotsCommand.RotateRobot.class})
public final class RobotsCommand {
    private static final int PAGE_SIZE = 100;
    private static final String RESOURCE_HELP = "GLOB:ACTIONS, e.g. myorg/app-*:pull,push or myorg:list; actions"
            + " are pull, push (with pull), delete (with pull and push) and list (on the organization); repeat for"
            + " more.";

    private RobotsCommand() {
    }

    /** The repository actions as the Hub's image scopes: each needs the ones before it. */
    private enum Image {
        PULL("scope-image-pull"), PUSH("scope-image-push"), DELETE("scope-image-delete");

        final String scope;

        Image(String scope) {
            this.scope = scope;
        }
    }

    private static final String LIST_SCOPE = "scope-repository-list";

    /** A command about one organization's robots. */
    abstract static class OrgCommand extends ClientCommand {
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The organization.")
        String org;

        String path() {
            String name = org.trim().toLowerCase(Locale.ROOT);
            if (!name.matches("[a-z0-9][a-z0-9_-]{0,254}")) {
                throw CliException.usage("not an organization name: '" + org + "'");
            }
            return "/v2/orgs/" + name + "/access-tokens";
        }
    }

    @Command(name = "list", description = "List the organization's robots (all pages), newest first.")
    static final class ListRobots extends OrgCommand {
        @Option(names = "--json", description = "Print a JSON array of the robots instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            Collection<JsonNode> robots = SignedIn.require(env).allPages(path(), PAGE_SIZE, "id", notFound(org));
            if (json) {
                ArrayNode array = JsonText.MAPPER.createArrayNode();
                robots.forEach(array::add);
                env.out().println(JsonText.pretty(array));
                return 0;
            }
            if (robots.isEmpty()) {
                env.out().println("No robots.");
                return 0;
            }
            Table table = new Table("ID", "LABEL", "ACTIVE", "CREATED BY", "CREATED", "LAST USED", "EXPIRES");
            for (JsonNode t : robots) {
                table.row(JsonText.text(t, "id"), JsonText.text(t, "label"), active(t),
                        JsonText.text(t, "created_by"), relative(env, JsonText.text(t, "created_at"), "-"),
                        relative(env, JsonText.text(t, "last_used_at"), "never"),
                        relative(env, JsonText.text(t, "expires_at"), "never"));
            }
            table.print(env.out());
            return 0;
        }
    }

    @Command(name = "create",
            description = {"Create a robot and print its secret, once: it cannot be shown again.",
                    "It signs in with the organization's name as the username and the secret as the password."})
    static final class CreateRobot extends OrgCommand {
        @Option(names = "--label", required = true, paramLabel = "LABEL", description = "Label, 1-100 characters.")
        String label;

        @Option(names = "--description", paramLabel = "TEXT", description = "What it is for.")
        String description;

        @Option(names = "--resource", required = true, paramLabel = "GLOB:ACTIONS", description = RESOURCE_HELP)
        List<String> resources;

        @Option(names = "--expires", paramLabel = "WHEN",
                description = "Expiry: a date, an RFC 3339 time, or a duration from now (30d). Default: never.")
        String expires;

        @Option(names = "--json", description = "Print the whole created robot, secret included, as JSON.")
        boolean json;

        @Override
        public Integer call() {
            List<Map<String, Object>> wire = parseResources(resources);
            Instant expiry = TokensCommand.futureExpiry(env, expires);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("label", label);
            if (description != null) {
                body.put("description", description);
            }
            body.put("resources", wire);
            if (expiry != null) {
                body.put("expires_at", Times.wire(expiry));
            }
            JsonNode created = SignedIn.require(env).call("POST", path(), body, notFound(org));
            String secret = JsonText.text(created, "token");
            if (secret == null || secret.isEmpty()) {
                throw CliException.api("the server created the robot but sent no secret");
            }
            PrintWriter err = env.err();
            err.println("Created robot " + JsonText.text(created, "id") + " \"" + Table.clean(label) + "\" ("
                    + String.join(" ", describe(created)) + ", expires "
                    + (expiry == null ? "never" : Times.absolute(expiry, env.clock())) + ").");
            err.println("Sign in with username '" + org.trim().toLowerCase(Locale.ROOT) + "' and this secret.");
            err.println("Copy the secret now: this is the only time it is shown, and it cannot be shown again.");
            err.flush();
            env.out().println(json ? JsonText.pretty(created) : secret);
            env.out().flush();
            return 0;
        }
    }

    /** A command about one robot, named by its id. */
    abstract static class OneRobot extends OrgCommand {
        @Parameters(paramLabel = "ID", description = "The robot's id (a uuid).")
        String id;

        String id() {
            return TokensCommand.checkUuid(id);
        }

        JsonNode send(String method, Object body) {
            return SignedIn.require(env).call(method, path() + "/" + id(), body,
                    "no robot " + id() + " in " + org + " (it does not exist, or you do not own the organization)");
        }
    }

    @Command(name = "get", description = "Show one robot and its resources (never its secret).")
    static final class GetRobot extends OneRobot {
        @Option(names = "--json", description = "Print the robot as JSON.")
        boolean json;

        @Override
        public Integer call() {
            show(env, send("GET", null), json);
            return 0;
        }
    }

    @Command(name = "update",
            description = "Change a robot's label, description or resources, or activate or deactivate it.")
    static final class UpdateRobot extends OneRobot {
        @Option(names = "--label", paramLabel = "LABEL", description = "New label, 1-100 characters.")
        String label;

        @Option(names = "--description", paramLabel = "TEXT", description = "New description.")
        String description;

        @Option(names = "--resource", paramLabel = "GLOB:ACTIONS",
                description = "Replace every resource by these. " + RESOURCE_HELP)
        List<String> resources;

        @ArgGroup(exclusive = true)
        Activation activation;

        @Option(names = "--json", description = "Print the updated robot as JSON.")
        boolean json;

        static final class Activation {
            @Option(names = "--active", required = true, description = "Activate the robot.")
            boolean active;

            @Option(names = "--inactive", required = true,
                    description = "Deactivate the robot: it stops working at once.")
            boolean inactive;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (label != null) {
                body.put("label", label);
            }
            if (description != null) {
                body.put("description", description);
            }
            if (resources != null) {
                body.put("resources", parseResources(resources));
            }
            if (activation != null) {
                body.put("is_active", activation.active);
            }
            if (body.isEmpty()) {
                throw CliException.usage(
                        "nothing to update: give --label, --description, --resource, --active or --inactive");
            }
            JsonNode robot = send("PATCH", body);
            if (!json) {
                env.err().println("Updated robot " + id() + ".");
                env.err().flush();
            }
            show(env, robot, json);
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a robot. It never authenticates again; this cannot be undone.")
    static final class DeleteRobot extends OneRobot {
        @Override
        public Integer call() {
            send("DELETE", null);
            env.out().println("Deleted robot " + id() + ".");
            return 0;
        }
    }

    @Command(name = "rotate",
            description = {"Replace a robot by a new one with a new secret, printed once; same label and resources.",
                    "The old secret stops at once, or after --grace (at most 24h) so that clients can switch."})
    static final class RotateRobot extends OneRobot {
        @Option(names = "--grace", paramLabel = "DURATION",
                description = "How long the old secret keeps working: 30m, 1h, up to 24h. Default: not at all.")
        String grace;

        @Option(names = "--expires", paramLabel = "WHEN", description = "The new robot's expiry. Default: never.")
        String expires;

        @Option(names = "--json", description = "Print the rotation's answer, new secret included, as JSON.")
        boolean json;

        @Override
        public Integer call() {
            TokensCommand.checkGrace(grace);
            TokensCommand.futureExpiry(env, expires);
            // The rotation endpoint knows robots by id alone: this makes sure the id is one of this org's.
            send("GET", null);
            TokensCommand.rotate(env, id(), grace, expires, json, "robot " + id());
            return 0;
        }
    }

    /**
     * {@code GLOB:ACTIONS} resources as the Hub API's {@code {type, path, scopes}}. A glob without {@code /} names
     * the organization. The actions must be exactly what one Hub scope grants, so nothing is ever widened: push
     * without pull is refused rather than turned into pull and push.
     */
    static List<Map<String, Object>> parseResources(List<String> given) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String raw : given) {
            int colon = raw.lastIndexOf(':');
            String glob = colon < 0 ? "" : raw.substring(0, colon).trim();
            if (glob.isEmpty() || colon == raw.length() - 1) {
                throw CliException.usage("invalid resource '" + raw + "': write " + RESOURCE_HELP);
            }
            Set<String> actions = new java.util.LinkedHashSet<>();
            for (String a : raw.substring(colon + 1).split(",", -1)) {
                actions.add(a.trim().toLowerCase(Locale.ROOT));
            }
            boolean org = !glob.contains("/");
            List<String> scopes = new ArrayList<>();
            if (actions.remove("list")) {
                if (!org) {
                    throw CliException.usage("invalid resource '" + raw + "': list applies to the organization"
                            + " (write ORG:list)");
                }
                scopes.add(LIST_SCOPE);
            }
            Image image = image(actions, raw);
            if (image != null) {
                scopes.add(0, image.scope);
            }
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("type", org ? "TYPE_ORG" : "TYPE_REPO");
            resource.put("path", glob);
            resource.put("scopes", scopes);
            out.add(resource);
        }
        return out;
    }

    /** The image scope that grants exactly {@code actions} (pull, push, delete), or null for none. */
    private static Image image(Set<String> actions, String raw) {
        EnumSet<Image> named = EnumSet.noneOf(Image.class);
        for (String a : actions) {
            Image image = switch (a) {
                case "pull" -> Image.PULL;
                case "push" -> Image.PUSH;
                case "delete" -> Image.DELETE;
                default -> throw CliException.usage("invalid action '" + a + "' in '" + raw
                        + "': use pull, push, delete or list");
            };
            named.add(image);
        }
        if (named.isEmpty()) {
            return null;
        }
        Image strongest = null;
        for (Image i : named) {
            strongest = i;
        }
        if (!named.equals(EnumSet.range(Image.PULL, strongest))) {
            throw CliException.usage("invalid resource '" + raw + "': " + strongest.name().toLowerCase(Locale.ROOT)
                    + " needs " + (strongest == Image.PUSH ? "pull" : "pull and push")
                    + " too (write " + String.join(",", EnumSet.range(Image.PULL, strongest).stream()
                    .map(i -> i.name().toLowerCase(Locale.ROOT)).toList()) + ")");
        }
        return strongest;
    }

    /** A robot's resources as {@code GLOB:ACTIONS}, the form they are given in. */
    static List<String> describe(JsonNode robot) {
        List<String> out = new ArrayList<>();
        JsonNode resources = robot.get("resources");
        if (resources == null || !resources.isArray()) {
            return out;
        }
        for (JsonNode r : resources) {
            List<String> actions = new ArrayList<>();
            r.path("scopes").forEach(s -> {
                switch (s.asText()) {
                    case "scope-image-pull" -> actions.add("pull");
                    case "scope-image-push" -> actions.addAll(List.of("pull", "push"));
                    case "scope-image-delete" -> actions.addAll(List.of("pull", "push", "delete"));
                    case LIST_SCOPE -> actions.add("list");
                    default -> actions.add(s.asText());
                }
            });
            out.add(Table.clean(r.path("path").asText()) + ":" + String.join(",", actions));
        }
        return out;
    }

    private static String notFound(String org) {
        return "no organization '" + org + "'";
    }

    private static String active(JsonNode robot) {
        JsonNode a = robot.get("is_active");
        return a != null && a.asBoolean() ? "yes" : "no";
    }

    private static String relative(Environment env, String apiTime, String absent) {
        Instant t = Times.fromApi(apiTime);
        return t == null ? absent : Times.relative(t, env.clock());
    }

    /** One robot as {@code key: value} lines, or as JSON. */
    private static void show(Environment env, JsonNode t, boolean json) {
        if (json) {
            env.out().println(JsonText.pretty(t));
            return;
        }
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("ID", JsonText.text(t, "id"));
        lines.put("Label", JsonText.text(t, "label"));
        lines.put("Resources", String.join(" ", describe(t)));
        lines.put("Active", active(t));
        lines.put("Created by", JsonText.text(t, "created_by"));
        lines.put("Created", relative(env, JsonText.text(t, "created_at"), "-"));
        lines.put("Last used", relative(env, JsonText.text(t, "last_used_at"), "never"));
        lines.put("Expires", relative(env, JsonText.text(t, "expires_at"), "never"));
        lines.forEach((k, v) -> env.out().println(String.format("%-12s%s", k + ":", Table.printable(v))));
        env.out().flush();
    }
}
