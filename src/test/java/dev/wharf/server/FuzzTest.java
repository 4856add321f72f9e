package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Backend;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random requests over raw sockets, across every path space: odd methods, paths with every kind of escape and
 * segment, garbage credentials and headers, bodies of every shape. Whatever arrives, the answer is below 500, and a
 * JSON error body names no library or Java class.
 */
class FuzzTest extends ServerTest {
    private static final int REQUESTS = 3_000;
    private static final int NEW_REQUESTS = Integer.getInteger("fuzzn", 3_000);
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
        "BREW", "get", "PROPFIND"};
    private static final String[] PREFIXES = {"/v2/", "/v2/users/login", "/v2/access-tokens/", "/v2/auditlogs/",
        "/v2/alice/app/manifests/", "/v2/alice/app/blobs/", "/v2/alice/app/blobs/uploads/", "/v2/alice/app/tags/list",
        "/v2/_catalog", "/v2/alice/app/referrers/", "/token", "/api/v1/users/", "/api/v1/orgs/x/members/",
        "/healthz", "/metrics", "/", "/v2/auth/token", "/v2/namespaces/alice/repositories",
        "/api/v4/personal_access_tokens/", "/api/v4/personal_access_tokens/self/",
        "/api/v4/user/personal_access_tokens", "/api/v4/users/1/personal_access_tokens",
        "/containerregistries/registries/", "/containerregistries/names/",
        "/containerregistries/registries/00000000-0000-0000-0000-000000000000/tokens/"};
    private static final String[] SEGMENTS = {"latest", "sha256:" + "a".repeat(64), "sha256:zz", "%u0041", "%zz",
        "%ff", "%C3%A9", "%2F", "%00", "..", ".", ";x=%zz", "a;b", "UPPER", "x".repeat(300), "%25", "~", "!",
        "%E2%82%AC", "00000000-0000-0000-0000-000000000000", "admin", "-", "_", "@", "%0d%0a"};
    private static final String[] HEADERS = {"Authorization: Bearer garbage", "Authorization: Bearer a.b.c",
        "Authorization: Basic !!!", "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                "admin:wrong".getBytes(StandardCharsets.UTF_8)), "Authorization: JWT x", "Authorization: Digest x",
        "Authorization: Bearer", "Content-Type: application/json", "Content-Type: text/plain",
        "Content-Type: application/vnd.oci.image.manifest.v1+json", "Range: bytes=5-1", "Range: bytes=-0",
        "Range: bytes=99999999999999999999-", "Content-Range: 0-5", "Content-Range: bytes 9-1/10",
        "Accept: */*", "Accept: ;;;", "X-Forwarded-For: 1.2.3.4", "Expect: 100-continue",
        "Transfer-Encoding: chunked", "Content-Length: -1", "Content-Length: abc", "PRIVATE-TOKEN: wharf_pat_x",
        "Content-Type: application/x-www-form-urlencoded"};
    private static final String[] BODIES = {"", "{", "{}", "[]", "null", "{\"username\":1}", "\"x\"",
        "{\"schemaVersion\":2}", "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}", "\u0000\u0001",
        "grant_type=password&scope=repository:a/b:pull", "{\"token_label\":\"x\",\"scopes\":[null]}",
        "{\"properties\":{\"name\":\"fuzz\",\"location\":\"local\",\"scopes\":[{}]}}"};

    @Override
    protected Backend backend() {
        return Backend.H2;
    }

    @Test
    void noRequestGetsA5xxOrAnswersInTheFrameworksWords() throws IOException {
        String session = "Authorization: Bearer " + Sessions.adminSession(server);
        Random random = new Random(20261201);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS && failures.size() < 10; i++) {
            StringBuilder path = new StringBuilder(pick(random, PREFIXES));
            for (int s = random.nextInt(4); s > 0; s--) {
                path.append(pick(random, SEGMENTS)).append(random.nextBoolean() ? "/" : "");
            }
            if (random.nextInt(5) == 0) {
                path.append('?').append(pick(random, new String[] {"n=-1", "n=abc", "last=%zz", "page=0",
                        "page_size=1000", "from=x", "scope=" + "repository:x:pull+".repeat(40), "digest=sha256:x",
                        "mount=x&from=y", "per_page=99999999999999999999&sort=x&state=y", "private_token=%zz",
                        "expires_at=2020-02-30&grace=25h", "created_before=%2B&revoked=2"}));
            }
            String method = pick(random, METHODS);
            List<String> headers = new ArrayList<>();
            for (int h = random.nextInt(3); h > 0; h--) {
                headers.add(pick(random, HEADERS));
            }
            if (random.nextInt(4) == 0) {
                headers.add(session);
            }
            String body = method.equals("GET") || method.equals("HEAD") ? "" : pick(random, BODIES);
            String answer = send(method, path.toString(), headers, body);
            int status = status(answer);
            String bodyOut = answer.contains("\r\n\r\n") ? answer.substring(answer.indexOf("\r\n\r\n") + 4) : "";
            if (status >= 500 || status == 0 || bodyOut.contains("avalin") || bodyOut.contains("etty")
                    || bodyOut.contains("java.") || (bodyOut.contains("<html") && !isWharfsPage(bodyOut))) {
                failures.add(method + " " + path + " " + headers + " -> " + answer.lines().findFirst().orElse("")
                        + " " + bodyOut);
            }
        }
        assertThat(failures).isEmpty();
    }

    /** The paths added in issue 9, each with the ids a request may carry; {@code {id}} and friends filled in. */
    private static final String[] NEW_PATHS = {"/api/v4/personal_access_tokens", "/api/v4/personal_access_tokens/",
        "/api/v4/personal_access_tokens/{pat}", "/api/v4/personal_access_tokens/{id}",
        "/api/v4/personal_access_tokens/{pat}/rotate", "/api/v4/personal_access_tokens/{id}/rotate",
        "/api/v4/personal_access_tokens/self", "/api/v4/personal_access_tokens/self/rotate",
        "/api/v4/user/personal_access_tokens", "/api/v4/users/{user}/personal_access_tokens",
        "/api/v4/users/{id}/personal_access_tokens", "/api/v4/{id}", "/api/v4/",
        "/containerregistries/locations", "/containerregistries/names/{id}", "/containerregistries/registries",
        "/containerregistries/registries/{registry}", "/containerregistries/registries/{id}",
        "/containerregistries/registries/{registry}/tokens", "/containerregistries/registries/{id}/tokens",
        "/containerregistries/registries/{registry}/tokens/{token}",
        "/containerregistries/registries/{registry}/tokens/{id}", "/containerregistries/{id}",
        "/v2/orgs/{org}/access-tokens", "/v2/orgs/{id}/access-tokens", "/v2/orgs/{org}/access-tokens/{orgtoken}",
        "/v2/orgs/{org}/access-tokens/{id}", "/v2/orgs/{org}/{id}",
        "/api/v1/credentials/revoke", "/api/v1/credentials/{id}", "/api/v1/orgs", "/api/v1/orgs/{org}/members/{id}"};
    private static final String[] GARBAGE_IDS = {"0", "-1", "99999999999999999999", "1e3", "0x10", "abc", " 1",
        "%20", "%zz", "%00", "00000000-0000-0000-0000-000000000000", "ZZZZZZZZ-0000-0000-0000-000000000000",
        "x".repeat(600), "%E2%82%AC", "self", "..", "1.5", "null", "true", "%2F", "1;x", "9223372036854775808"};
    private static final String[] PAGING = {"page", "per_page", "offset", "limit", "page_size", "pagination.token",
        "pagination.limit"};
    private static final String[] NUMBERS = {"-1", "0", "1", "abc", "99999999999999999999", "2147483648",
        "9223372036854775807", "-9223372036854775808", "1.5", "", "%zz", "1e9", " 2", "100000", "101", "%00"};
    private static final String[] FILTERS = {"created_before", "created_after", "last_used_before", "last_used_after",
        "expires_before", "expires_after", "revoked", "state", "sort", "search", "user_id", "filter.name",
        "orderBy", "depth", "expires_at", "pretty", "private_token"};
    private static final String[] FILTER_VALUES = {"2026-13-45", "yesterday", "2026-01-01T25:00:00Z", "0000-00-00",
        "-999999999-01-01", "+999999999-12-31T23:59:59Z", "2026-02-30", "true", "maybe", "active", "ALL", "",
        "x".repeat(3000), "%zz", "1", "[]", "created_asc", "wrong_desc", "9999999999999999999"};
    private static final String[] NEW_BODIES = {"", "{", "[]", "null", "1", "\"x\"", "{}", "{\"name\":1}",
        "{\"name\":null,\"scopes\":\"api\"}", "{\"name\":\"t\",\"scopes\":[1,{},[]]}",
        "{\"name\":\"t\",\"scopes\":[\"sudo\",\"nonsense\"]}",
        "{\"name\":\"t\",\"scopes\":[\"api\"],\"expires_at\":\"2026-99-99\"}",
        "{\"name\":\"t\",\"scopes\":[\"api\"],\"expires_at\":12}",
        "{\"name\":\"t\",\"scopes\":[\"api\"],\"expires_at\":\"1970-01-01\"}",
        "{\"name\":\"" + "n".repeat(5000) + "\",\"scopes\":[\"api\"]}",
        "{\"properties\":1}", "{\"properties\":{\"name\":[],\"location\":{}}}",
        "{\"properties\":{\"name\":\"t\",\"scopes\":[{\"name\":1,\"type\":\"galaxy\",\"actions\":\"pull\"}]}}",
        "{\"properties\":{\"name\":\"t\",\"status\":\"sleeping\",\"expiryDate\":\"soon\"}}",
        "{\"properties\":{\"name\":\"t\",\"credentials\":{\"username\":5}}}",
        "{\"properties\":{\"garbageCollectionSchedule\":{\"days\":[\"Caturday\"],\"time\":\"25:99\"}}}",
        "{\"label\":5,\"resources\":{}}", "{\"label\":\"t\",\"resources\":[{\"type\":\"TYPE_GALAXY\"}]}",
        "{\"label\":\"t\",\"resources\":[{\"type\":\"TYPE_REPO\",\"path\":[],\"scopes\":[null]}]}",
        "{\"label\":\"t\",\"resources\":[null],\"expires_at\":\"2026-02-30T00:00:00Z\"}",
        "{\"is_active\":\"yes\"}", "{\"is_active\":null,\"label\":[]}",
        "{\"credentials\":[null]}", "{\"credentials\":\"wharf_pat_x\"}", "{\"credentials\":[1,true,{}]}",
        "{\"credentials\":[\"" + "w".repeat(100_000) + "\"]}", "{\"credentials\":[]}",
        "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "{\"a\":" + "{\"a\":".repeat(3000) + "1"
            + "}".repeat(3000) + "}", "name=t&scopes[]=api&expires_at=2026-99-01", "scopes=api&scopes=%zz",
        "\u0000\u0001\uffff", "{\"name\":\"t\",\"name\":\"u\"}"};
    private static final String[] CONTENT_TYPES = {"application/json", "text/plain",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=ebcdic",
        "application/xml", ";;;", ""};

    /**
     * The surfaces issue 9 added: GitLab, IONOS, Hub org tokens and the admin's leaked-secret report, hit with garbage
     * ids, paging, dates, enums, bodies and methods. Nothing is a 5xx, and every error body is the owning dialect's.
     */
    @Test
    void issue9SurfacesAnswerEveryBadInputWithA4xxInTheirOwnShape() throws IOException {
        String session = Sessions.adminSession(server);
        Http admin = server.http().bearer(session);
        String org = "fuzzorg";
        assertThat(admin.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        JsonNode pat = admin.post("/api/v4/user/personal_access_tokens", Map.of("name", "fuzz", "scopes",
                List.of("api"))).json();
        String registry = server.http().header("Authorization", basicAdmin()).get("/containerregistries/registries")
                .json().path("items").path(0).path("id").asText();
        JsonNode ionosToken = server.http().header("Authorization", basicAdmin()).post(
                "/containerregistries/registries/" + registry + "/tokens", Map.of("properties", Map.of(
                        "name", "fuzz", "scopes", List.of(Map.of("name", "app", "type", "repository",
                                "actions", List.of("pull")))))).json();
        JsonNode orgToken = admin.post("/v2/orgs/" + org + "/access-tokens", Map.of("label", "fuzz", "resources",
                List.of(Map.of("type", "TYPE_REPO", "path", org + "/*", "scopes", List.of("scope-image-pull")))))
                .json();
        Map<String, String> ids = Map.of("{pat}", pat.path("id").asText(), "{user}", pat.path("user_id").asText(),
                "{registry}", registry, "{token}", ionosToken.path("id").asText(), "{org}", org,
                "{orgtoken}", orgToken.path("id").asText());
        assertThat(ids.values()).as("fixtures: %s", ids).doesNotContain("");
        String[] auths = {"Authorization: Bearer " + session, "PRIVATE-TOKEN: " + pat.path("token").asText(),
            "Authorization: " + basicAdmin(), "PRIVATE-TOKEN: wharf_pat_garbage", "Authorization: Basic !!!",
            "Authorization: Bearer " + "x".repeat(4000), "JOB-TOKEN: x", ""};
        Random random = new Random(Long.getLong("fuzzseed", 20261202));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < NEW_REQUESTS && failures.size() < 10; i++) {
            String path = pick(random, NEW_PATHS);
            for (Map.Entry<String, String> id : ids.entrySet()) {
                path = path.replace(id.getKey(), random.nextInt(4) == 0 ? pick(random, GARBAGE_IDS) : id.getValue());
            }
            path = path.replace("{id}", pick(random, GARBAGE_IDS));
            StringBuilder query = new StringBuilder();
            for (int q = random.nextInt(4); q > 0; q--) {
                query.append(query.length() == 0 ? '?' : '&');
                query.append(random.nextBoolean() ? pick(random, PAGING) + "=" + pick(random, NUMBERS)
                        : pick(random, FILTERS) + "=" + pick(random, FILTER_VALUES));
            }
            String method = pick(random, METHODS);
            List<String> headers = new ArrayList<>();
            String auth = pick(random, auths);
            if (!auth.isEmpty()) {
                headers.add(auth);
            }
            String body = "";
            if (!method.equals("GET") && !method.equals("HEAD")) {
                body = pick(random, NEW_BODIES);
                String type = pick(random, CONTENT_TYPES);
                if (!type.isEmpty()) {
                    headers.add("Content-Type: " + type);
                }
            }
            String target = path + query;
            String answer = send(method, target, headers, body);
            String problem = problem(method, unparseable(target) ? NO_PATH : path, answer);
            if (problem != null) {
                String failure = problem + ": " + method + " " + target + " " + headers + " -> "
                        + answer.lines().findFirst().orElse("") + " " + bodyOf(answer);
                failures.add(failure.length() > 600 ? failure.substring(0, 300) + " … "
                        + failure.substring(failure.length() - 300) : failure);
            }
        }
        assertThat(failures).isEmpty();
    }

    /** A charset Java does not know, on a JSON or form body, is each dialect's 4xx (it was GitLab's 500). */
    @Test
    void aCharsetJavaDoesNotKnowIsA4xxInEachDialect() throws IOException {
        String session = "Authorization: Bearer " + Sessions.adminSession(server);
        String[][] requests = {
            {"POST", "/api/v4/user/personal_access_tokens", "{\"name\":\"t\",\"scopes\":[\"api\"]}"},
            {"POST", "/api/v4/personal_access_tokens/self/rotate", "{}"},
            {"GET", "/api/v4/personal_access_tokens", ""},
            {"POST", "/containerregistries/registries", "{\"properties\":{\"name\":\"x\",\"location\":\"local\"}}"},
            {"POST", "/v2/orgs/nobody/access-tokens", "{\"label\":\"t\",\"resources\":[]}"},
            {"POST", "/api/v1/credentials/revoke", "{\"credentials\":[\"wharf_pat_x\"]}"}};
        for (String[] r : requests) {
            for (String type : new String[] {"application/json; charset=ebcdic",
                "application/x-www-form-urlencoded; charset=ebcdic", "application/json; charset=\"\u00e9?\""}) {
                String answer = send(r[0], r[1], List.of(session, "Content-Type: " + type), r[2]);
                assertThat(problem(r[0], r[1], answer)).as("%s %s %s -> %s", r[0], r[1], type, answer).isNull();
                assertThat(status(answer)).as("%s %s %s -> %s", r[0], r[1], type, answer).isBetween(200, 499);
            }
        }
        String form = send("POST", "/api/v4/user/personal_access_tokens", List.of(session,
                "Content-Type: application/x-www-form-urlencoded; charset=ebcdic"), "name=t&scopes[]=api");
        assertThat(status(form)).isEqualTo(400);
        assertThat(bodyOf(form)).contains("400 Bad request");
        // The registry's OAuth token endpoint reads a form too.
        String token = send("POST", "/token",
                List.of("Content-Type: application/x-www-form-urlencoded; charset=ebcdic"),
                "grant_type=password&username=admin&password=x");
        assertThat(status(token)).as(token).isEqualTo(400);
        assertThat(bodyOf(token)).contains("\"error\":\"invalid_request\"");
    }

    /** What is wrong with an answer, or null: a 5xx, framework words, or an error body not in the owner's shape. */
    private static String problem(String method, String path, String answer) {
        int status = status(answer);
        String body = bodyOf(answer);
        if (status >= 500 || status == 0) {
            return "5xx or no answer";
        }
        if (body.contains("avalin") || body.contains("etty") || body.contains("java.") || body.contains("Exception")
                || (body.contains("<html") && !isWharfsPage(body))) {
            return "framework words";
        }
        if (status < 400 || method.equals("HEAD") || (status == 429 && body.isEmpty())) {
            return null;
        }
        if (isWharfsPage(body) || ownedByTheWebUi(path)) {
            return isWharfsPage(body) && ownedByTheWebUi(path) ? null : "not the owner's shape (page or JSON)";
        }
        JsonNode json;
        try {
            json = dev.wharf.http.Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return "not JSON";
        }
        if (json == null || !json.isObject()) {
            return "not a JSON object";
        }
        if (path.startsWith("/api/v4/")) {
            return json.has("errinfo") || (!json.has("message") && !json.has("error")) ? "not GitLab's" : null;
        }
        if (path.startsWith("/containerregistries/")) {
            return json.path("httpStatus").asInt() == status && json.path("messages").path(0).has("errorCode")
                    && json.path("messages").path(0).has("message") ? null : "not IONOS's";
        }
        if (path.startsWith("/api/v1/") || path.equals(NO_PATH)) {
            return json.has("message") && json.has("errinfo") ? null : "not the admin API's";
        }
        boolean hub = json.has("detail") || json.has("message") || json.has("text");
        return hub && !json.has("errinfo") ? null : "not Hub's";
    }

    /** The path of a request Jetty refuses before it has one: answered in the server-wide (admin API's) shape. */
    private static final String NO_PATH = "";

    /** An error page of the web UI: Wharf's own frame, not a framework's. */
    private static boolean isWharfsPage(String body) {
        return body.contains("· Wharf</title>");
    }

    /** Whether no API claims the path, so that the web UI answers it with its pages. */
    private static boolean ownedByTheWebUi(String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        return !(path.equals(NO_PATH) || path.equals("/v2") || path.startsWith("/v2/") || path.startsWith("/v1/") || path.equals("/v1")
                || path.startsWith("/token") || path.startsWith("/api/") || path.startsWith("/containerregistries")
                || java.util.Set.of("/healthz", "/readyz", "/metrics").contains(path));
    }

    /**
     * Whether Jetty's parser refuses this request line before any path is known (a space, a {@code %} not followed
     * by hex, a NUL, a line beyond its 8 KiB): such a request is answered in the server-wide shape, there being no
     * path to tell the dialect.
     */
    private static boolean unparseable(String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        return target.contains(" ") || path.contains("%zz") || path.contains("%00") || target.length() > 8000;
    }

    private static String bodyOf(String answer) {
        return answer.contains("\r\n\r\n") ? answer.substring(answer.indexOf("\r\n\r\n") + 4) : "";
    }

    private static String basicAdmin() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + TestServer.ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }

    /** One request on its own connection; the whole answer, or "" when the server closed without one. */
    private String send(String method, String path, List<String> headers, String body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\nConnection: close\r\n");
            boolean framed = false;
            for (String h : headers) {
                request.append(h).append("\r\n");
                framed |= h.startsWith("Content-Length") || h.startsWith("Transfer-Encoding");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (!framed) {
                request.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what arrived is what counts
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static int status(String answer) {
        if (!answer.startsWith("HTTP/1.1 ") || answer.length() < 12) {
            return 0;
        }
        return Integer.parseInt(answer.substring(9, 12));
    }
}
