package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each dialect owns its path space: unknown paths, wrong methods and malformed requests get that dialect's own error
 * shape, never another dialect's or the web framework's. Clients that add a trailing slash are served.
 */
class DialectBoundariesTest extends ServerTest {

    @Override
    protected Backend backend() {
        return Backend.H2;
    }

    /** What the server answers to a raw request line, bypassing any client-side URI checks. */
    private Raw raw(String method, String target) throws IOException {
        try (Socket socket = new Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            return new Raw(status, response.substring(0, response.indexOf("\r\n\r\n")), body);
        }
    }

    private record Raw(int status, String head, String body) {
        JsonNode json() {
            try {
                return dev.wharf.http.Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + head + "\n" + body, e);
            }
        }
    }

    /** A web UI page: Wharf's own frame, naming no library. */
    private static void isWharfsOwnPage(String body) {
        assertThat(body).contains("· Wharf</title>").doesNotContainIgnoringCase("javalin")
                .doesNotContainIgnoringCase("jetty").doesNotContain("java.").doesNotContain("Exception");
    }

    private static void namesNoLibrary(String body) {
        assertThat(body).doesNotContainIgnoringCase("javalin").doesNotContainIgnoringCase("jetty")
                .doesNotContain("java.").doesNotContain("Exception").doesNotContain("<html");
    }

    @Test
    void hubClientsThatAddATrailingSlashAreServed() {
        Http http = server.http();
        Http.Response login = http.post("/v2/users/login/", Map.of("username", "admin",
                "password", TestServer.ADMIN_PASSWORD));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        Http session = http.bearer(login.json().path("token").asText());
        assertThat(session.get("/v2/access-tokens/").status()).isEqualTo(200);
        assertThat(session.get("/v2/auditlogs/admin/").status()).isEqualTo(200);
        assertThat(session.get("/v2/auditlogs/admin/actions/").status()).isEqualTo(200);
        assertThat(session.post("/v2/auth/token/", Map.of("identifier", "admin", "secret",
                TestServer.ADMIN_PASSWORD)).status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAndWrongMethodsAnswerInTheOwningDialectsShape() {
        Http admin = server.http().bearer(Sessions.adminSession(server));
        // Docker Hub: Error {detail, message}; 405 says which methods would do.
        Http.Response hub = admin.get("/v2/access-tokens/a/b/c");
        assertThat(hub.status()).isEqualTo(404);
        assertThat(hub.json().path("detail").asText()).isEqualTo("Not found.");
        assertThat(hub.json().has("errors")).isFalse();
        Http.Response hubMethod = admin.put("/v2/access-tokens", Map.of());
        assertThat(hubMethod.status()).isEqualTo(405);
        assertThat(hubMethod.header("Allow")).isEqualTo("GET, POST");
        assertThat(hubMethod.json().path("detail").asText()).isEqualTo("Method \"PUT\" not allowed.");
        assertThat(admin.get("/v2/orgs/acme/webhooks").json().path("detail").asText()).isEqualTo("Not found.");
        // The audit-log service answers in its gRPC gateway's shape.
        Http.Response audit = admin.delete("/v2/auditlogs/admin");
        assertThat(audit.status()).isEqualTo(405);
        assertThat(audit.json().path("code").asInt()).isEqualTo(12);
        assertThat(audit.header("Allow")).isEqualTo("GET");
        // The registry: the spec's envelope.
        Http.Response registry = admin.get("/v2/alice/app/nonsense");
        assertThat(registry.status()).isEqualTo(404);
        assertThat(registry.json().path("errors").path(0).path("code").asText()).isEqualTo("UNSUPPORTED");
        Http.Response registryMethod = admin.send("PATCH", "/v2/alice/app/manifests/latest", "{}");
        assertThat(registryMethod.status()).isEqualTo(405);
        assertThat(registryMethod.header("Allow")).isEqualTo("DELETE, GET, HEAD, PUT");
        // The admin API: {message, errinfo}.
        Http.Response api = admin.get("/api/v1/nothing");
        assertThat(api.status()).isEqualTo(404);
        assertThat(api.json().path("message").asText()).isEqualTo("not found");
        assertThat(api.json().has("errinfo")).isTrue();
        Http.Response apiMethod = admin.patch("/api/v1/users", Map.of());
        assertThat(apiMethod.status()).isEqualTo(405);
        assertThat(apiMethod.header("Allow")).isEqualTo("GET, POST");
        // GitLab: {"message": "404 Not Found"} as its catch-all route answers, and 405 with the methods that would do.
        for (String path : new String[] {"/api/v4/nothing", "/api/v4/", "/api/v4", "/api/v4/personal_access_tokens/1/x",
                "/api/v4/users/1/personal_access_tokens/1"}) {
            Http.Response gitlab = admin.get(path);
            assertThat(gitlab.status()).as(path).isEqualTo(404);
            assertThat(gitlab.json().path("message").asText()).as(path).isEqualTo("404 Not Found");
            assertThat(gitlab.json().has("errinfo")).as(path).isFalse();
        }
        Http.Response gitlabMethod = admin.put("/api/v4/personal_access_tokens", Map.of());
        assertThat(gitlabMethod.status()).isEqualTo(405);
        assertThat(gitlabMethod.header("Allow")).isEqualTo("GET");
        assertThat(gitlabMethod.json().path("message").asText()).isEqualTo("405 Method Not Allowed");
        // IONOS: {httpStatus, messages: [{errorCode, message}]}.
        for (String path : new String[] {"/containerregistries/nothing", "/containerregistries/",
                "/containerregistries/registries/" + java.util.UUID.randomUUID() + "/tokens/x/y"}) {
            Http.Response ionos = admin.get(path);
            assertThat(ionos.status()).as(path).isEqualTo(404);
            assertThat(ionos.json().path("httpStatus").asInt()).as(path).isEqualTo(404);
            assertThat(ionos.json().path("messages").path(0).path("errorCode").asText()).as(path).isNotEmpty();
            assertThat(ionos.json().path("messages").path(0).path("message").asText()).as(path).isNotEmpty();
        }
        Http.Response ionosMethod = admin.send("PATCH", "/containerregistries/registries", "{}");
        assertThat(ionosMethod.status()).isEqualTo(405);
        assertThat(ionosMethod.header("Allow")).isEqualTo("GET, POST");
        assertThat(ionosMethod.json().path("httpStatus").asInt()).isEqualTo(405);
        assertThat(ionosMethod.json().path("messages").path(0).path("errorCode").asText()).isNotEmpty();
        // Hub's org tokens and the admin API's new route.
        Http.Response orgTokens = admin.put("/v2/orgs/acme/access-tokens", Map.of());
        assertThat(orgTokens.status()).isEqualTo(405);
        assertThat(orgTokens.json().path("detail").asText()).isEqualTo("Method \"PUT\" not allowed.");
        Http.Response revoke = server.http().get("/api/v1/credentials/revoke");
        assertThat(revoke.status()).isEqualTo(405);
        assertThat(revoke.header("Allow")).isEqualTo("POST");
        assertThat(revoke.json().has("errinfo")).isTrue();
        // The operations routes, exactly.
        assertThat(server.http().post("/healthz", "x").status()).isEqualTo(405);
        assertThat(server.http().post("/healthz", "x").json().path("message").asText()).isEqualTo(
                "method not allowed");
        // Everything else is the web UI's: its own pages, never a framework's.
        Http.Response root = server.http().get("/");
        assertThat(root.status()).isEqualTo(303);
        assertThat(root.header("Location")).isEqualTo("/signin");
        for (String path : new String[] {"/foo", "/healthz/x", "/tokens/x/y"}) {
            Http.Response other = server.http().get(path);
            assertThat(other.status()).as(path).isEqualTo(404);
            assertThat(other.header("Content-Type")).as(path).startsWith("text/html");
            assertThat(other.body()).as(path).contains("<h1>Not found</h1>");
            isWharfsOwnPage(other.body());
        }
        Http.Response wrongMethod = server.http().send("DELETE", "/signin", null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).isEqualTo("GET, POST");
        isWharfsOwnPage(wrongMethod.body());
    }

    @Test
    void malformedPathsAre400InTheOwningDialectsShape() throws IOException {
        for (String path : new String[] {"/v2/%u0041/", "/v2/a;%zz/b", "/v2/alice/app/blobs/%ff",
                "/v2/alice%2Fapp/tags/list", "/v2/%C3%28"}) {
            Raw r = raw("GET", path);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.json().path("errors").path(0).path("code").asText()).as(path).isNotEmpty();
            namesNoLibrary(r.body());
        }
        // A target Jetty cannot parse at all reaches no path space; it still gets JSON, never Jetty's page.
        Raw unparseable = raw("GET", "/v2/a%zz");
        assertThat(unparseable.status()).isEqualTo(400);
        assertThat(unparseable.json().path("message").asText()).contains("malformed");
        namesNoLibrary(unparseable.body());
        Raw hub = raw("GET", "/v2/access-tokens/%u0041");
        assertThat(hub.status()).isEqualTo(400);
        assertThat(hub.json().path("text").asText()).contains("malformed");
        Raw audit = raw("GET", "/v2/auditlogs/a;%zz");
        assertThat(audit.status()).isEqualTo(400);
        assertThat(audit.json().path("code").asInt()).isEqualTo(3);
        Raw api = raw("DELETE", "/api/v1/users/%zz");
        assertThat(api.status()).isEqualTo(400);
        assertThat(api.json().has("errinfo")).isTrue();
        for (String path : new String[] {"/api/v4/personal_access_tokens/%u0041", "/api/v4/a;%zz/b",
                "/api/v4/users/%C3%28/personal_access_tokens", "/api/v4/personal_access_tokens/%ff"}) {
            Raw gitlab = raw("GET", path);
            assertThat(gitlab.status()).as(path).isEqualTo(400);
            assertThat(gitlab.json().path("message").asText()).as(path).startsWith("400 Bad request");
            namesNoLibrary(gitlab.body());
        }
        for (String path : new String[] {"/containerregistries/registries/%u0041", "/containerregistries/a;%zz/b",
                "/containerregistries/registries/%C3%28/tokens", "/containerregistries/names/%ff"}) {
            Raw ionos = raw("GET", path);
            assertThat(ionos.status()).as(path).isEqualTo(400);
            assertThat(ionos.json().path("httpStatus").asInt()).as(path).isEqualTo(400);
            assertThat(ionos.json().path("messages").path(0).path("errorCode").asText()).as(path).isNotEmpty();
            namesNoLibrary(ionos.body());
        }
        Raw orgTokens = raw("GET", "/v2/orgs/%u0041/access-tokens");
        assertThat(orgTokens.status()).isEqualTo(400);
        assertThat(orgTokens.json().path("text").asText()).contains("malformed");
        Raw revoke = raw("POST", "/api/v1/credentials/revoke;%zz");
        assertThat(revoke.status()).isEqualTo(400);
        assertThat(revoke.json().has("errinfo")).isTrue();
        // Refused by Jetty before any path space: operations' JSON, as every early refusal of a web UI path.
        Raw root = raw("GET", "/%u2215etc");
        assertThat(root.status()).isEqualTo(400);
        assertThat(root.json().path("message").asText()).contains("malformed");
        namesNoLibrary(root.body());
        assertThat(root.head().toLowerCase(java.util.Locale.ROOT)).as("headers of an early refusal")
                .contains("content-security-policy: default-src 'none'; frame-ancestors 'none'")
                .contains("x-content-type-options: nosniff").contains("x-frame-options: deny")
                .contains("cache-control: no-store");
    }

    @Test
    void requestsJettyRefusesItselfGetAJsonBodyToo() throws IOException {
        Raw badVersion = raw("GET", "/v2/ HTTP/9.9 x");
        assertThat(badVersion.status()).isBetween(400, 505);
        namesNoLibrary(badVersion.body());
        Raw unknownMethod = raw("BREW", "/v2/access-tokens");
        assertThat(unknownMethod.status()).isEqualTo(405);
        assertThat(unknownMethod.json().path("detail").asText()).isEqualTo("Method \"BREW\" not allowed.");
        try (Socket socket = new Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            String huge = "x".repeat(20_000);
            socket.getOutputStream().write(("GET /v2/access-tokens HTTP/1.1\r\nHost: a\r\nX-Big: " + huge
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 431");
            namesNoLibrary(response.substring(response.indexOf("\r\n\r\n")));
            assertThat(response).contains("\"text\"");
        }
    }

    @Test
    void metricsLabelEachRequestWithItsRoutesPattern() {
        server.http().get("/v2/alice/app/manifests/latest");
        server.http().get("/v2/access-tokens/abc");
        String metrics = server.http().get("/metrics").body();
        assertThat(metrics).contains("route=\"/v2/<name>/manifests/{reference}\"")
                .contains("route=\"/v2/access-tokens/{uuid}\"")
                .doesNotContain("route=\"/v2/<path>\"");
    }
}
