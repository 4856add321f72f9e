package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.Main;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The client's HTTP transport, on the JDK's {@code java.net.http}: one base URL, an optional bearer token, and
 * network failures turned into one-line {@link CliException}s. Redirects are not followed, so a bearer token is
 * never sent to another host.
 */
public final class HubClient {
    public static final String DOCKER_HUB = "https://hub.docker.com";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String baseUrl;
    private final String bearer;
    private final HttpClient http;

    /** A client for {@code baseUrl} (already normalized) that sends {@code bearer}, when not null, as the token. */
    public HubClient(String baseUrl, String bearer) {
        this.baseUrl = baseUrl;
        this.bearer = bearer;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /**
     * A server URL as given by the user, checked (http or https, a host) and without trailing slashes; a usage
     * error names the option when it is not one.
     */
    public static String normalizeUrl(String raw, String option) {
        String s = raw == null ? "" : raw.trim();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            URI uri = new URI(s);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return s;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw CliException.usage("invalid value for " + option + ": '" + raw
                + "' is not an http:// or https:// server URL");
    }

    /** Whether two normalized server URLs name the same server (scheme and host are case-insensitive). */
    public static boolean sameServer(String a, String b) {
        URI x = URI.create(a);
        URI y = URI.create(b);
        return x.getScheme().equalsIgnoreCase(y.getScheme()) && x.getHost().equalsIgnoreCase(y.getHost())
                && port(x) == port(y) && pathOf(x).equals(pathOf(y));
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String pathOf(URI u) {
        return u.getRawPath() == null ? "" : u.getRawPath();
    }

    public Response get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    /** Sends a request; {@code jsonBody} (may be null) is sent as {@code application/json}. */
    public Response send(String method, String pathAndQuery, String jsonBody) {
        return send(method, pathAndQuery, jsonBody, Map.of());
    }

    /** Sends a request with extra {@code headers}; {@code jsonBody} (may be null) is sent as JSON. */
    public Response send(String method, String pathAndQuery, String jsonBody, Map<String, String> headers) {
        URI uri;
        try {
            uri = URI.create(baseUrl + pathAndQuery);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("not a valid API path: '" + pathAndQuery + "'");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody))
                .header("Accept", "application/json")
                .header("User-Agent", "wharf-cli/" + Main.Version.current());
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body() == null ? "" : r.body(), r.headers());
        } catch (IOException e) {
            throw CliException.api(networkFailure(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.api("interrupted while talking to " + baseUrl);
        }
    }

    private String networkFailure(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "cannot connect to " + baseUrl + ": timed out after " + CONNECT_TIMEOUT.toSeconds() + " seconds";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + baseUrl + " within " + REQUEST_TIMEOUT.toSeconds() + " seconds";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "cannot connect to " + baseUrl + ": unknown host '" + URI.create(baseUrl).getHost() + "'";
            }
            if (t instanceof SSLException) {
                return "TLS connection to " + baseUrl + " failed: " + t.getMessage();
            }
        }
        if (e instanceof ConnectException) {
            String detail = deepestMessage(e);
            return "cannot connect to " + baseUrl + ": "
                    + (detail == null ? "connection refused" : detail.toLowerCase(Locale.ROOT));
        }
        String detail = deepestMessage(e);
        return "network error talking to " + baseUrl + (detail == null ? "" : ": " + detail);
    }

    private static String deepestMessage(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message;
    }

    /** An HTTP response: status, body text and headers. */
    public record Response(int status, String body, HttpHeaders headers) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The body as JSON; null when it is empty or not JSON. */
        public JsonNode json() {
            return JsonText.parseOrNull(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /**
         * One line that says what an error body says, whichever of Docker Hub's shapes it has: validation
         * {@code {fields, text}}, {@code {detail, message}}, {@code {message, errinfo}}; else the start of the body.
         */
        public String problem() {
            JsonNode json = json();
            if (json != null && json.isObject()) {
                List<String> parts = new ArrayList<>();
                JsonNode fields = json.get("fields");
                String text = JsonText.text(json, "text");
                if (fields != null && fields.isObject()) {
                    for (Map.Entry<String, JsonNode> f : fields.properties()) {
                        parts.add(f.getKey() + ": " + (f.getValue().isArray() && !f.getValue().isEmpty()
                                ? joinText(f.getValue()) : f.getValue().asText()));
                    }
                }
                String detail = JsonText.text(json, "detail");
                String message = JsonText.text(json, "message");
                String headline = text != null ? text : detail != null ? detail : message;
                if (headline != null || !parts.isEmpty()) {
                    String joined = String.join("; ", parts);
                    return oneLine(headline == null ? joined
                            : parts.isEmpty() ? headline : headline + " (" + joined + ")");
                }
            }
            String start = oneLine(body);
            return start.isEmpty() ? "HTTP " + status : start.length() > 200 ? start.substring(0, 200) + "…" : start;
        }

        private static String joinText(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return String.join(", ", out);
        }

        private static String oneLine(String s) {
            return Table.clean(s.strip().replaceAll("\\s+", " "));
        }
    }
}
