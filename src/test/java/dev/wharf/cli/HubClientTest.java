package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HubClientTest {
    @Test
    void serverUrlsAreCheckedAndLoseTrailingSlashes() {
        assertThat(HubClient.normalizeUrl(" https://hub.example.com/ ", "--url")).isEqualTo("https://hub.example.com");
        assertThat(HubClient.normalizeUrl("http://127.0.0.1:5000//", "--url")).isEqualTo("http://127.0.0.1:5000");
        assertThat(HubClient.normalizeUrl("https://example.com/wharf", "--url")).isEqualTo("https://example.com/wharf");
        for (String bad : new String[] {"", "example.com", "ftp://example.com", "http://", "https://x/?a=b", "::"}) {
            assertThatThrownBy(() -> HubClient.normalizeUrl(bad, "--url"))
                    .isInstanceOfSatisfying(CliException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(2);
                        assertThat(e.getMessage()).contains("--url").contains("'" + bad + "'");
                    });
        }
    }

    @Test
    void sameServerComparesSchemeHostPortAndPath() {
        assertThat(HubClient.sameServer("https://Hub.Example.com", "https://hub.example.com:443")).isTrue();
        assertThat(HubClient.sameServer("http://hub.example.com", "http://hub.example.com:80")).isTrue();
        assertThat(HubClient.sameServer("http://hub.example.com", "https://hub.example.com")).isFalse();
        assertThat(HubClient.sameServer("http://127.0.0.1:5000", "http://localhost:5000")).isFalse();
        assertThat(HubClient.sameServer("https://x.com/a", "https://x.com/b")).isFalse();
    }

    @Test
    void problemReadsEveryDockerHubErrorShapeAsOneLine() {
        assertThat(response(400, "{\"fields\":{\"scopes\":[\"Invalid scope 'x'.\"],\"token_label\":[\"Too long.\","
                + "\"Bad.\"]},\"text\":\"Invalid request\"}").problem())
                .isEqualTo("Invalid request (scopes: Invalid scope 'x'.; token_label: Too long., Bad.)");
        assertThat(response(404, "{\"detail\":\"token not found\",\"message\":\"token not found\"}").problem())
                .isEqualTo("token not found");
        assertThat(response(404, "{\"message\":\"not found\",\"errinfo\":null}").problem()).isEqualTo("not found");
        assertThat(response(502, "<html>\n<body>Bad gateway</body>\n</html>").problem())
                .isEqualTo("<html> <body>Bad gateway</body> </html>");
        assertThat(response(500, "").problem()).isEqualTo("HTTP 500");
        assertThat(response(500, "x".repeat(500)).problem()).hasSize(201);
    }

    private static HubClient.Response response(int status, String body) {
        return new HubClient.Response(status, body, HttpHeaders.of(Map.of(), (a, b) -> true));
    }
}
