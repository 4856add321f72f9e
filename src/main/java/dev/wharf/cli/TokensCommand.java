package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.wharf.config.Durations;
import dev.wharf.credentials.Scope;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf tokens}: personal access tokens, over the Docker Hub {@code /v2/access-tokens} API. */
@Command(name = "tokens", mixinStandardHelpOptions = true, versionProvider = dev.wharf.Main.Version.class,
        description = "Manage your personal access tokens.",
        subcommands = {TokensCommand.ListTokens.class, TokensCommand.CreateToken.class, TokensCommand.GetToken.class,
                TokensCommand.UpdateToken.class, TokensCommand.DeleteToken.class, TokensCommand.RotateToken.class})
public final class TokensCommand {
    static final String PATH = "/v2/access-tokens";
    /** Wharf's own rotation endpoint, for personal tokens and robots alike. */
    static final String ROTATE_PATH = "/api/v1/credentials/%s/rotate";
    /** The longest grace window the server allows. */
    static final Duration MAX_GRACE = Duration.ofHours(24);
    private static final int PAGE_SIZE = 100;

    private TokensCommand() {
    }

    @Command(name = "list",
            description = "List your tokens (all pages), newest first.")
    static final class ListTokens extends ClientCommand {
        @Option(names = "--json", description = "Print a JSON array of the tokens instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            Collection<JsonNode> tokens = SignedIn.require(env).allPages(PATH, PAGE_SIZE, "uuid", null);
            if (json) {
                ArrayNode array = JsonText.MAPPER.createArrayNode();
                tokens.forEach(array::add);
                env.out().println(JsonText.pretty(array));
                return 0;
            }
            if (tokens.isEmpty()) {
                env.out().println("No access tokens.");
                return 0;
            }
            Table table = new Table("UUID", "LABEL", "SCOPES", "ACTIVE", "CREATED", "LAST USED", "EXPIRES");
            for (JsonNode t : tokens) {
                table.row(JsonText.text(t, "uuid"), JsonText.text(t, "token_label"), scopes(t), active(t),
                        relative(JsonText.text(t, "created_at"), "-"), relative(JsonText.text(t, "last_used"), "never"),
                        expires(JsonText.text(t, "expires_at")));
            }
            table.print(env.out());
            return 0;
        }

        private String relative(String apiTime, String absent) {
            Instant t = Times.fromApi(apiTime);
            return t == null ? absent : Times.relative(t, env.clock());
        }

        private String expires(String apiTime) {
            Instant t = Times.fromApi(apiTime);
            if (t == null) {
                return "never";
            }
            String when = Times.relative(t, env.clock());
            return t.isBefore(env.clock().instant()) ? "expired " + when : when;
        }
    }

    @Command(name = "create",
            description = {"Create a token and print its secret, once: it cannot be shown again.",
                    "The secret alone goes to standard output, so SECRET=$(wharf tokens create ...) works."})
    static final class CreateToken extends ClientCommand {
        @Option(names = "--label", required = true, paramLabel = "LABEL", description = "Label, 1-100 characters.")
        String label;

        @Option(names = "--scope", required = true, split = ",", paramLabel = "SCOPE",
                description = "repo:admin, repo:write, repo:read or repo:public_read; repeat or comma-separate.")
        List<String> scopes;

        @Option(names = "--expires", paramLabel = "WHEN",
                description = "Expiry: a date (2027-01-01, midnight local time), an RFC 3339 time, or a duration "
                        + "from now (30d, 12h, 2w). Default: never.")
        String expires;

        @Option(names = "--json", description = "Print the whole created token, secret included, as JSON.")
        boolean json;

        @Override
        public Integer call() {
            List<String> checked = checkScopes(scopes);
            Instant expiry = futureExpiry(env, expires);
            SignedIn session = SignedIn.require(env);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("token_label", label);
            body.put("scopes", checked);
            if (expiry != null) {
                body.put("expires_at", Times.wire(expiry));
            }
            JsonNode created = session.call("POST", PATH, body, null);
            String secret = JsonText.text(created, "token");
            if (secret == null || secret.isEmpty()) {
                throw CliException.api("the server created the token but sent no secret");
            }
            PrintWriter err = env.err();
            err.println("Created token " + JsonText.text(created, "uuid") + " \"" + Table.clean(label) + "\" ("
                    + scopes(created) + ", expires " + (expiry == null ? "never" : Times.absolute(expiry, env.clock()))
                    + ").");
            err.println("Copy the secret now: this is the only time it is shown, and it cannot be shown again.");
            err.flush();
            env.out().println(json ? JsonText.pretty(created) : secret);
            env.out().flush();
            return 0;
        }
    }

    /** A command about one token, named by its uuid. */
    abstract static class OneToken extends ClientCommand {
        @Parameters(paramLabel = "UUID", description = "The token's uuid.")
        String uuid;

        /** The uuid in its canonical lower-case form; anything that is not a uuid is a usage error. */
        String id() {
            return checkUuid(uuid);
        }

        /** Sends {@code method} to the token; a 404 says it does not exist or is not the user's. */
        JsonNode send(String method, Object body) {
            String id = id();
            return SignedIn.require(env).call(method, PATH + "/" + id, body,
                    "no token " + id + " (it does not exist, or it is not yours)");
        }
    }

    @Command(name = "get",
            description = "Show one token (never its secret).")
    static final class GetToken extends OneToken {
        @Option(names = "--json", description = "Print the token as JSON.")
        boolean json;

        @Override
        public Integer call() {
            show(env, send("GET", null), json);
            return 0;
        }
    }

    @Command(name = "update",
            description = "Change a token's label, or activate or deactivate it.")
    static final class UpdateToken extends OneToken {
        @Option(names = "--label", paramLabel = "LABEL", description = "New label, 1-100 characters.")
        String label;

        @ArgGroup(exclusive = true)
        Activation activation;

        @Option(names = "--json", description = "Print the updated token as JSON.")
        boolean json;

        static final class Activation {
            @Option(names = "--active", required = true, description = "Activate the token.")
            boolean active;

            @Option(names = "--inactive", required = true,
                    description = "Deactivate the token: it stops working at once.")
            boolean inactive;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (label != null) {
                body.put("token_label", label);
            }
            if (activation != null) {
                body.put("is_active", activation.active);
            }
            if (body.isEmpty()) {
                throw CliException.usage("nothing to update: give --label, --active or --inactive");
            }
            JsonNode token = send("PATCH", body);
            if (!json) {
                env.err().println("Updated token " + id() + ".");
                env.err().flush();
            }
            show(env, token, json);
            return 0;
        }
    }

    @Command(name = "delete",
            description = "Delete a token. It never authenticates again; this cannot be undone.")
    static final class DeleteToken extends OneToken {
        @Override
        public Integer call() {
            send("DELETE", null);
            env.out().println("Deleted token " + id() + ".");
            return 0;
        }
    }

    @Command(name = "rotate",
            description = {"Replace a token by a new one with a new secret, printed once; same label and scopes.",
                    "The old secret stops at once, or after --grace (at most 24h) so that clients can switch."})
    static final class RotateToken extends OneToken {
        @Option(names = "--grace", paramLabel = "DURATION",
                description = "How long the old secret keeps working: 30m, 1h, up to 24h. Default: not at all.")
        String grace;

        @Option(names = "--expires", paramLabel = "WHEN",
                description = "The new token's expiry, as for create. Default: never.")
        String expires;

        @Option(names = "--json", description = "Print the rotation's answer, new secret included, as JSON.")
        boolean json;

        @Override
        public Integer call() {
            rotate(env, id(), grace, expires, json, "token " + id());
            return 0;
        }
    }

    /**
     * Rotates a credential through the admin API and prints the new secret alone on standard output (or the whole
     * answer with {@code json}), the rest on standard error. {@code what} names it in messages.
     */
    static void rotate(Environment env, String uuid, String grace, String expires, boolean json, String what) {
        Duration window = checkGrace(grace);
        Instant expiry = futureExpiry(env, expires);
        Map<String, Object> body = new LinkedHashMap<>();
        if (expiry != null) {
            body.put("expires_at", Times.wire(expiry));
        }
        body.put("grace", window.toSeconds() + "s");
        JsonNode rotated = SignedIn.require(env).call("POST", String.format(ROTATE_PATH, uuid), body,
                "no " + what + " (it does not exist, or you may not rotate it)");
        String secret = JsonText.text(rotated, "token");
        if (secret == null || secret.isEmpty()) {
            throw CliException.api("the server rotated the " + what + " but sent no secret");
        }
        PrintWriter err = env.err();
        Instant until = Times.fromApi(JsonText.text(rotated, "previous_valid_until"));
        err.println("Rotated " + what + ": the new one is " + JsonText.text(rotated, "uuid") + ", expires "
                + (expiry == null ? "never" : Times.absolute(expiry, env.clock())) + ".");
        err.println(window.isZero() || until == null ? "The old secret has stopped working."
                : "The old secret keeps working until " + Times.absolute(until, env.clock()) + ".");
        err.println("Copy the new secret now: this is the only time it is shown, and it cannot be shown again.");
        err.flush();
        env.out().println(json ? JsonText.pretty(rotated) : secret);
        env.out().flush();
    }

    /** A grace window as given ({@code 30m}, {@code 1h}, {@code PT1H}), at most a day; none when absent. */
    static Duration checkGrace(String raw) {
        if (raw == null) {
            return Duration.ZERO;
        }
        Duration d;
        try {
            d = Durations.parse(raw);
        } catch (DateTimeException | ArithmeticException e) {
            throw CliException.usage("invalid value for --grace: '" + raw + "' (use 30m, 1h, ... up to 24h)");
        }
        if (d.isNegative() || d.compareTo(MAX_GRACE) > 0) {
            throw CliException.usage("invalid value for --grace: '" + raw + "' is more than 24h");
        }
        return d;
    }

    /** An {@code --expires} value, which must be in the future; null when absent. */
    static Instant futureExpiry(Environment env, String expires) {
        if (expires == null) {
            return null;
        }
        Instant expiry = Times.parse(expires, "--expires", env.clock(), true);
        if (!expiry.isAfter(env.clock().instant())) {
            throw CliException.usage("invalid value for --expires: '" + expires + "' is not in the future");
        }
        return expiry;
    }

    /** The scopes as given (comma-split), checked against the four the API knows, without repeats. */
    static List<String> checkScopes(List<String> given) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : given) {
            String s = raw.trim().toLowerCase(Locale.ROOT);
            Scope scope = Scope.parse(s);
            if (scope == null || !scope.isRepository()) {
                throw CliException.usage("invalid scope '" + raw + "': use one of " + Scope.REPOSITORY.stream()
                        .map(Scope::wireName).sorted().collect(Collectors.joining(", ")));
            }
            out.add(s);
        }
        return new ArrayList<>(out);
    }

    /** A token uuid in its canonical lower-case form; anything else is a usage error. */
    static String checkUuid(String raw) {
        try {
            UUID u = UUID.fromString(raw.trim());
            if (u.toString().equalsIgnoreCase(raw.trim())) {
                return u.toString();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw CliException.usage("not a token uuid: '" + raw + "'");
    }

    private static String scopes(JsonNode token) {
        List<String> out = new ArrayList<>();
        JsonNode scopes = token.get("scopes");
        if (scopes != null) {
            scopes.forEach(s -> out.add(s.asText()));
        }
        return String.join(",", out);
    }

    private static String active(JsonNode token) {
        JsonNode a = token.get("is_active");
        return a != null && a.asBoolean() ? "yes" : "no";
    }

    /** One token as {@code key: value} lines, or as JSON. */
    private static void show(Environment env, JsonNode t, boolean json) {
        if (json) {
            env.out().println(JsonText.pretty(t));
            return;
        }
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("UUID", JsonText.text(t, "uuid"));
        lines.put("Label", JsonText.text(t, "token_label"));
        lines.put("Scopes", scopes(t));
        lines.put("Active", active(t));
        lines.put("Created", when(env, JsonText.text(t, "created_at"), "-"));
        lines.put("Last used", when(env, JsonText.text(t, "last_used"), "never"));
        lines.put("Expires", when(env, JsonText.text(t, "expires_at"), "never"));
        lines.put("Creator IP", JsonText.text(t, "creator_ip"));
        lines.put("User agent", JsonText.text(t, "creator_ua"));
        lines.forEach((k, v) -> env.out().println(String.format("%-12s%s", k + ":", Table.printable(v))));
        env.out().flush();
    }

    private static String when(Environment env, String apiTime, String absent) {
        Instant t = Times.fromApi(apiTime);
        return t == null ? absent
                : Times.absolute(t, env.clock()) + " (" + Times.relative(t, env.clock()) + ")";
    }
}
