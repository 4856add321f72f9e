package dev.wharf.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf login}: signs in with {@code /v2/users/login} and saves the session token (never the password). */
@Command(name = "login",
        description = {"Sign in to a Wharf (or Docker Hub) server and save the session for the other commands.",
                "The server URL, the username and the session token are saved in $XDG_CONFIG_HOME/wharf/session.json "
                        + "(mode 0600); the password is never saved."})
public final class LoginCommand extends ClientCommand {
    /** The server used when neither --url, WHARF_URL nor an earlier login names one: a local `wharf serve`. */
    public static final String DEFAULT_URL = "http://localhost:5000";

    @Option(names = "--url", paramLabel = "URL",
            description = "Server URL (default: $WHARF_URL, else the last server logged in to, else "
                    + DEFAULT_URL + ").")
    String url;

    @Option(names = {"-u", "--username"}, paramLabel = "USER",
            description = "Username (default: the last one used on this server, else a prompt).")
    String username;

    @Option(names = "--password-stdin",
            description = "Read the password (or a personal access token) from standard input.")
    boolean passwordStdin;

    @Override
    public Integer call() {
        SessionStore store = new SessionStore(env.configDir());
        Optional<SessionStore.Saved> previous = previous(store);
        String server = url != null ? HubClient.normalizeUrl(url, "--url")
                : env.var("WHARF_URL") != null ? HubClient.normalizeUrl(env.var("WHARF_URL"), "WHARF_URL")
                : previous.map(SessionStore.Saved::url).orElse(DEFAULT_URL);
        String user = username(server, previous);
        char[] password = password();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("username", user);
        body.put("password", new String(password));
        Arrays.fill(password, '\0');
        HubClient.Response r = new HubClient(server, null).send("POST", "/v2/users/login", JsonText.compact(body));
        body.clear();
        if (r.status() == 401) {
            throw CliException.api(r.json() != null && JsonText.text(r.json(), "login_2fa_token") != null
                    ? "login failed: " + user + " uses two-factor authentication; log in with a personal access "
                            + "token as the password"
                    : "login failed: incorrect username or password");
        }
        if (r.status() == 429) {
            String retry = r.header("Retry-After");
            throw CliException.api("login failed: too many failed sign-ins; try again in "
                    + (retry == null ? "a few minutes" : retry + " seconds"));
        }
        String token = r.ok() ? JsonText.text(r.json(), "token") : null;
        if (token == null) {
            throw CliException.api("login failed: " + server + " answered HTTP " + r.status() + ": " + r.problem());
        }
        store.save(new SessionStore.Saved(server, user, token));
        env.out().println("Logged in to " + server + " as " + user + ".");
        return 0;
    }

    /** The saved session, if any; a damaged file is simply replaced by this login. */
    private static Optional<SessionStore.Saved> previous(SessionStore store) {
        try {
            return store.load();
        } catch (CliException e) {
            return Optional.empty();
        }
    }

    private String username(String server, Optional<SessionStore.Saved> previous) {
        String user = username;
        if (user == null) {
            user = previous.filter(p -> HubClient.sameServer(p.url(), server)).map(SessionStore.Saved::username)
                    .orElse(null);
        }
        if (user == null && env.terminal() != null && !passwordStdin) {
            user = env.terminal().readLine("Username: ");
        }
        if (user == null || user.isBlank()) {
            throw CliException.usage("no username: give it with -u USER");
        }
        return user.trim();
    }

    private char[] password() {
        String entered;
        if (passwordStdin) {
            entered = env.readStdin().replaceAll("[\r\n]+$", "");
            if (entered.isEmpty()) {
                throw CliException.usage("no password on standard input");
            }
            return entered.toCharArray();
        }
        if (env.terminal() == null) {
            throw CliException.usage("no terminal to prompt for the password: use --password-stdin");
        }
        char[] typed = env.terminal().readPassword("Password: ");
        if (typed == null || typed.length == 0) {
            throw CliException.usage("no password entered");
        }
        return typed;
    }
}
