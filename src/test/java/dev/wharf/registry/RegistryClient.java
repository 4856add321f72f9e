package dev.wharf.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** A raw registry client for protocol tests: byte bodies, any method, any header. */
public final class RegistryClient {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String base;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public RegistryClient(String base) {
        this.base = base;
    }

    public RegistryClient with(String name, String value) {
        RegistryClient copy = new RegistryClient(base);
        copy.headers.putAll(headers);
        copy.headers.put(name, value);
        return copy;
    }

    public RegistryClient basic(String user, String secret) {
        return with("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    public RegistryClient bearer(String token) {
        return with("Authorization", "Bearer " + token);
    }

    public Res get(String path, String... extra) {
        return send("GET", path, null, extra);
    }

    public Res head(String path, String... extra) {
        return send("HEAD", path, null, extra);
    }

    public Res delete(String path, String... extra) {
        return send("DELETE", path, null, extra);
    }

    public Res post(String path, byte[] body, String... extra) {
        return send("POST", path, body, extra);
    }

    public Res put(String path, byte[] body, String... extra) {
        return send("PUT", path, body, extra);
    }

    public Res patch(String path, byte[] body, String... extra) {
        return send("PATCH", path, body, extra);
    }

    /** Sends a request; {@code extra} holds more headers as name, value pairs. */
    public Res send(String method, String path, byte[] body, String... extra) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            b.header(extra[i], extra[i + 1]);
        }
        try {
            return new Res(method + " " + path, CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Res(String request, HttpResponse<byte[]> raw) {
        public int status() {
            return raw.statusCode();
        }

        public byte[] bytes() {
            return raw.body();
        }

        public String text() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        /** The first error code of an OCI error envelope. */
        public String code() {
            return json().path("errors").path(0).path("code").asText();
        }

        @Override
        public String toString() {
            return request + " -> " + raw.statusCode() + " " + raw.headers().map() + " " + text();
        }
    }

    public static String digest(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
