package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Backend;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
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
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random requests over raw sockets, across every path space: odd methods, paths with every kind of escape and
 * segment, garbage credentials and headers, bodies of every shape. Whatever arrives, the answer is below 500, and a
 * JSON error body names no library or Java class.
 */
class FuzzTest extends ServerTest {
    private static final int REQUESTS = 3_000;
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
                    || bodyOut.contains("java.") || bodyOut.contains("<html")) {
                failures.add(method + " " + path + " " + headers + " -> " + answer.lines().findFirst().orElse("")
                        + " " + bodyOut);
            }
        }
        assertThat(failures).isEmpty();
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
