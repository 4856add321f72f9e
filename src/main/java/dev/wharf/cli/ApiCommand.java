package dev.wharf.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf api}: raw calls to the Docker Hub v2 API, with pydockerhubapi's flags and behaviour, against Wharf or
 * Docker Hub itself. Success prints the response JSON, pretty, on stdout; 204 prints nothing; any non-2xx prints the
 * response body on stderr and exits 1.
 */
@Command(name = "api",
        sortOptions = false,
        description = {"Call the Docker Hub v2 API directly (pydockerhubapi-compatible flags).",
                "Works against Wharf and against Docker Hub itself. Prints the response JSON on success, nothing "
                        + "for 204, and the response body on stderr (exit 1) for any other status."})
public final class ApiCommand extends ClientCommand {
    static final List<String> METHODS = List.of("DELETE", "GET", "POST", "PUT", "PATCH");

    @Option(names = {"-U", "--user"}, paramLabel = "USER",
            description = "User for -g (default: $DOCKERHUB_USER, else $WHARF_USER).")
    String user;

    @Option(names = {"-t", "--token"}, paramLabel = "TOKEN",
            description = "JWT sent as a bearer token (default: $WHARF_TOKEN, else the saved session when URL is "
                    + "its server, else $DOCKERHUB_TOKEN).")
    String token;

    @Option(names = {"-u", "--url"}, paramLabel = "URL",
            description = "Server URL (default: the server you are logged in to, else " + HubClient.DOCKER_HUB + ").")
    String url;

    @Option(names = {"-a", "--api"}, paramLabel = "API", defaultValue = TokensCommand.PATH,
            description = "API path, starting with / (default ${DEFAULT-VALUE}).")
    String api;

    @Option(names = {"-m", "--method"}, paramLabel = "METHOD", defaultValue = "GET",
            description = "One of DELETE, GET, POST, PUT, PATCH (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = {"-J", "--jsonfile"}, paramLabel = "JSONFILE",
            description = "JSON file sent as the body of a POST (required), PUT or PATCH.")
    Path jsonFile;

    @Option(names = {"-g", "--generatetoken"},
            description = "Sign in with DOCKERHUB_USER and DOCKERHUB_PASSWORD (or WHARF_USER and WHARF_PASSWORD) "
                    + "and print {\"token\": \"...\"}.")
    boolean generateToken;

    @Override
    public Integer call() {
        String verb = method.trim().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(verb)) {
            throw CliException.usage("invalid value for --method: '" + method + "' (use one of "
                    + String.join(", ", METHODS) + ")");
        }
        if (!api.startsWith("/")) {
            throw CliException.usage("invalid value for --api: '" + api + "' (it must start with /)");
        }
        Optional<SessionStore.Saved> saved = saved();
        String server = url != null ? HubClient.normalizeUrl(url, "--url")
                : saved.map(SessionStore.Saved::url).orElse(HubClient.DOCKER_HUB);
        if (generateToken) {
            return generateToken(server);
        }
        String body = null;
        if (jsonFile != null) {
            if (verb.equals("GET") || verb.equals("DELETE")) {
                env.err().println("wharf: --jsonfile is ignored for " + verb);
                env.err().flush();
            } else {
                body = readJson(jsonFile);
            }
        } else if (verb.equals("POST")) {
            throw CliException.usage("POST needs a request body: give it with -J JSONFILE");
        }
        String bearer = token != null ? token
                : env.var("WHARF_TOKEN") != null ? env.var("WHARF_TOKEN")
                : saved.filter(s -> HubClient.sameServer(s.url(), server)).map(SessionStore.Saved::token)
                        .orElse(env.var("DOCKERHUB_TOKEN"));
        return print(new HubClient(server, bearer).send(verb, api, body));
    }

    private Optional<SessionStore.Saved> saved() {
        try {
            return new SessionStore(env.configDir()).load();
        } catch (CliException damaged) {
            return Optional.empty();
        }
    }

    /** {@code -g}: signs in with the environment's credentials and prints {@code {"token": "..."}}. */
    private int generateToken(String server) {
        String name = user != null ? user : env.var("DOCKERHUB_USER") != null ? env.var("DOCKERHUB_USER")
                : env.var("WHARF_USER");
        String password = env.var("DOCKERHUB_PASSWORD") != null ? env.var("DOCKERHUB_PASSWORD")
                : env.var("WHARF_PASSWORD");
        if (name == null || password == null) {
            throw CliException.usage("-g needs DOCKERHUB_USER and DOCKERHUB_PASSWORD (or WHARF_USER and "
                    + "WHARF_PASSWORD) in the environment");
        }
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("username", name);
        credentials.put("password", password);
        HubClient.Response r = new HubClient(server, null).send("POST", "/v2/users/login",
                JsonText.compact(credentials));
        String jwt = r.ok() ? JsonText.text(r.json(), "token") : null;
        if (jwt == null) {
            return printFailure(r);
        }
        env.out().println("{\"token\": " + JsonText.compact(jwt) + "}");
        env.out().flush();
        return 0;
    }

    private int print(HubClient.Response r) {
        if (!r.ok()) {
            return printFailure(r);
        }
        if (!r.body().isBlank()) {
            JsonNode json = r.json();
            env.out().println(json != null ? JsonText.pretty(json) : r.body().stripTrailing());
            env.out().flush();
        }
        return 0;
    }

    private int printFailure(HubClient.Response r) {
        env.err().println(r.body().isBlank() ? "HTTP " + r.status() : r.body().stripTrailing());
        env.err().flush();
        return CliException.API;
    }

    private static String readJson(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.usage("cannot read --jsonfile " + file + ": no such file");
        } catch (IOException e) {
            throw CliException.usage("cannot read --jsonfile " + file + ": " + e.getMessage());
        }
        try {
            JsonText.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw CliException.usage("--jsonfile " + file + " is not valid JSON" + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        return text;
    }
}
