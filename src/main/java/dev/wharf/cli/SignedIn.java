package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The saved session, ready to call the API with: what the friendly commands ({@code tokens}, {@code audit}) use.
 * A missing, expired or revoked session ends the command with one line that says to run {@code wharf login}.
 */
final class SignedIn {
    private final SessionStore.Saved session;
    private final HubClient client;

    private SignedIn(SessionStore.Saved session) {
        this.session = session;
        this.client = new HubClient(session.url(), session.token());
    }

    /** The saved session; fails when there is none or its token has already expired. */
    static SignedIn require(Environment env) {
        SessionStore.Saved saved = new SessionStore(env.configDir()).load()
                .orElseThrow(() -> CliException.api("not logged in: run `wharf login`"));
        if (expired(saved.token(), env.clock())) {
            throw CliException.api("your session on " + saved.url() + " has expired: run `wharf login`");
        }
        return new SignedIn(saved);
    }

    String username() {
        return session.username();
    }

    /**
     * Every item of a Hub-style paged list ({@code results} and {@code next}), fetched page by page in the order
     * served; an item seen twice (the list moved between pages) is kept once, by {@code idField}.
     */
    Collection<JsonNode> allPages(String path, int pageSize, String idField, String notFound) {
        Map<String, JsonNode> items = new LinkedHashMap<>();
        for (int page = 1; ; page++) {
            JsonNode body = call("GET", path + "?page=" + page + "&page_size=" + pageSize, null, notFound);
            JsonNode results = body == null ? null : body.get("results");
            if (results == null || !results.isArray() || results.isEmpty()) {
                return items.values();
            }
            results.forEach(t -> items.putIfAbsent(JsonText.text(t, idField), t));
            JsonNode next = body.get("next");
            if (next == null || next.isNull()) {
                return items.values();
            }
        }
    }

    /**
     * Calls the API and returns the JSON body (null for an empty one). A refusal becomes one line; {@code notFound}
     * is the line for a 404.
     */
    JsonNode call(String method, String pathAndQuery, Object body, String notFound) {
        return json(send(method, pathAndQuery, body, Map.of()), pathAndQuery, notFound);
    }

    /** Calls the API with extra {@code headers} and returns the response as it is, for a caller that reads it. */
    HubClient.Response send(String method, String pathAndQuery, Object body, Map<String, String> headers) {
        return client.send(method, pathAndQuery, body == null ? null : JsonText.compact(body), headers);
    }

    /** What {@link #call} makes of a response: its JSON body, or one line for a refusal. */
    JsonNode json(HubClient.Response r, String pathAndQuery, String notFound) {
        if (r.ok()) {
            JsonNode json = r.json();
            if (json == null && !r.body().isBlank()) {
                throw CliException.api(session.url() + " is not a Docker Hub API: it answered " + pathAndQuery
                        + " with something that is not JSON");
            }
            return json;
        }
        throw switch (r.status()) {
            case 401 -> CliException.api("your session on " + session.url()
                    + " has expired or was revoked: run `wharf login`");
            case 403 -> CliException.api("permission denied: " + r.problem());
            case 404 -> CliException.api(notFound != null ? notFound : "not found: " + r.problem());
            case 429 -> CliException.api("too many requests: try again"
                    + (r.header("Retry-After") == null ? " later" : " in " + r.header("Retry-After") + " seconds"));
            case 400 -> CliException.api("the server refused the request: " + r.problem());
            default -> CliException.api("the server answered HTTP " + r.status() + ": " + r.problem());
        };
    }

    /** Whether a JWT's {@code exp} claim has passed; a token that is not a readable JWT is left to the server. */
    static boolean expired(String token, Clock clock) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        try {
            JsonNode claims = JsonText.parseOrNull(
                    new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            JsonNode exp = claims == null ? null : claims.get("exp");
            return exp != null && exp.canConvertToLong()
                    && Instant.ofEpochSecond(exp.asLong()).isBefore(clock.instant());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
