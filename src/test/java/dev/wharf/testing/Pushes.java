package dev.wharf.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushes small images and indexes through the registry API, as a client would, for tests of what the Hub shows of
 * them. Authenticates with Basic credentials (a user and a password or personal token).
 */
public final class Pushes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String base;
    private final String authorization;

    public Pushes(String base, String user, String secret) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Pushes an image whose config names {@code architecture} and {@code seed}, with one small layer, under
     * {@code tag} (null: by digest only); returns its digest.
     */
    public String image(String repo, String tag, String architecture, long seed) {
        byte[] config = ("{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"seed\":" + seed + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer " + seed).getBytes(StandardCharsets.UTF_8);
        blob(repo, config);
        blob(repo, layer);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", config));
        manifest.put("layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar", layer)));
        return manifest(repo, tag, OCI_MANIFEST, json(manifest));
    }

    /**
     * Pushes an image of the given config and layers (uploading each blob, also those the repository already holds,
     * as a client that does not check first would) under {@code tag} (null: by digest only); returns its digest.
     */
    public String image(String repo, String tag, byte[] config, List<byte[]> layers) {
        blob(repo, config);
        List<Map<String, Object>> descriptors = new java.util.ArrayList<>();
        for (byte[] layer : layers) {
            blob(repo, layer);
            descriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar", layer));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", config));
        manifest.put("layers", descriptors);
        return manifest(repo, tag, OCI_MANIFEST, json(manifest));
    }

    /** Uploads a blob into a repository without any manifest naming it. */
    public void upload(String repo, byte[] data) {
        blob(repo, data);
    }

    /** A blob's bytes, or null when the repository does not serve it (404). */
    public byte[] blobBytes(String repo, String digest) {
        HttpResponse<byte[]> r = send("GET", "/v2/" + repo + "/blobs/" + digest, null);
        if (r.statusCode() == 404) {
            return null;
        }
        expect(r, 200);
        return r.body();
    }

    /** A manifest's bytes by tag or digest, or null when the repository has no such manifest (404). */
    public byte[] manifestBytes(String repo, String reference) {
        HttpResponse<byte[]> r = send("GET", "/v2/" + repo + "/manifests/" + reference, null,
                "Accept", OCI_MANIFEST + ", " + OCI_INDEX);
        if (r.statusCode() == 404) {
            return null;
        }
        expect(r, 200);
        return r.body();
    }

    /** Deletes a manifest by digest, with its tags; returns the status. */
    public int deleteManifest(String repo, String reference) {
        return send("DELETE", "/v2/" + repo + "/manifests/" + reference, null).statusCode();
    }

    /** The status of a blob HEAD. */
    public int headBlob(String repo, String digest) {
        return send("HEAD", "/v2/" + repo + "/blobs/" + digest, null).statusCode();
    }

    /** Pushes an index of {@code children} (digests of images already in the repository) under {@code tag}. */
    public String index(String repo, String tag, List<String> children) {
        List<Map<String, Object>> manifests = new java.util.ArrayList<>();
        for (String child : children) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", OCI_MANIFEST);
            d.put("digest", child);
            d.put("size", manifestSize(repo, child));
            d.put("platform", Map.of("os", "linux", "architecture", "amd64"));
            manifests.add(d);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.put("manifests", manifests);
        return manifest(repo, tag, OCI_INDEX, json(index));
    }

    /** Points {@code tag} at a manifest the repository already holds. */
    public void tag(String repo, String tag, String digest) {
        HttpResponse<byte[]> got = send("GET", "/v2/" + repo + "/manifests/" + digest, null,
                "Accept", OCI_MANIFEST + ", " + OCI_INDEX);
        expect(got, 200);
        manifest(repo, tag, got.headers().firstValue("Content-Type").orElseThrow(), got.body());
    }

    /** The status of a manifest GET, a pull. */
    public int pull(String repo, String reference) {
        return send("GET", "/v2/" + repo + "/manifests/" + reference, null,
                "Accept", OCI_MANIFEST + ", " + OCI_INDEX).statusCode();
    }

    /** The status of a manifest HEAD, which is not a pull. */
    public int head(String repo, String reference) {
        return send("HEAD", "/v2/" + repo + "/manifests/" + reference, null,
                "Accept", OCI_MANIFEST + ", " + OCI_INDEX).statusCode();
    }

    private long manifestSize(String repo, String digest) {
        HttpResponse<byte[]> head = send("HEAD", "/v2/" + repo + "/manifests/" + digest, null,
                "Accept", OCI_MANIFEST + ", " + OCI_INDEX);
        expect(head, 200);
        return Long.parseLong(head.headers().firstValue("Content-Length").orElseThrow());
    }

    private String manifest(String repo, String tag, String mediaType, byte[] body) {
        String digest = digest(body);
        expect(send("PUT", "/v2/" + repo + "/manifests/" + (tag == null ? digest : tag), body,
                "Content-Type", mediaType), 201);
        return digest;
    }

    private void blob(String repo, byte[] data) {
        expect(send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest(data), data,
                "Content-Type", "application/octet-stream"), 201);
    }

    /** An OCI descriptor of {@code content}: media type, digest and size. */
    public static Map<String, Object> descriptor(String mediaType, byte[] content) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest(content));
        d.put("size", content.length);
        return d;
    }

    private HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", authorization);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect(HttpResponse<byte[]> r, int status) {
        if (r.statusCode() != status) {
            throw new AssertionError(r.request().method() + " " + r.uri() + " -> " + r.statusCode() + " "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    public static String digest(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
