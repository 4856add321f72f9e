package dev.wharf.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/…}) that skopeo can push:
 * gzipped tar layers of random content, a config whose {@code diff_ids} match, and a manifest tagged {@code tag}.
 */
public final class OciLayout {
    private OciLayout() {
    }

    /** A gzipped tar with one file of {@code size} random bytes. */
    public static byte[] layer(long seed, int size) {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return gzip(tar("file-" + seed + ".bin", content));
    }

    /** Writes a layout at {@code dir} holding one image with these layers, tagged {@code tag}; returns its digest. */
    public static String write(Path dir, String tag, List<byte[]> layers) {
        try {
            Path blobs = dir.resolve("blobs/sha256");
            Files.createDirectories(blobs);
            List<Map<String, Object>> layerDescs = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            for (byte[] layer : layers) {
                blob(blobs, layer);
                layerDescs.add(RegistryTestBase.descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer));
                diffIds.add(RegistryClient.digest(gunzip(layer)));
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("architecture", "amd64");
            config.put("os", "linux");
            config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
            config.put("config", Map.of());
            byte[] configBytes = RegistryClient.json(config);
            blob(blobs, configBytes);
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", RegistryTestBase.OCI_MANIFEST);
            manifest.put("config", RegistryTestBase.descriptor("application/vnd.oci.image.config.v1+json",
                    configBytes));
            manifest.put("layers", layerDescs);
            byte[] manifestBytes = RegistryClient.json(manifest);
            blob(blobs, manifestBytes);
            Map<String, Object> entry = RegistryTestBase.descriptor(RegistryTestBase.OCI_MANIFEST, manifestBytes);
            entry.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.write(dir.resolve("index.json"), RegistryClient.json(Map.of("schemaVersion", 2,
                    "manifests", List.of(entry))));
            return RegistryClient.digest(manifestBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The blob files of a layout, by digest hex. */
    public static Map<String, byte[]> blobs(Path dir) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir.resolve("blobs/sha256"))) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void blob(Path blobs, byte[] data) throws IOException {
        Files.write(blobs.resolve(RegistryClient.digest(data).substring("sha256:".length())), data);
    }

    private static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name, 100);
        put(header, 100, "0000644", 8);
        put(header, 108, "0000000", 8);
        put(header, 116, "0000000", 8);
        put(header, 124, String.format("%011o", content.length), 12);
        put(header, 136, String.format("%011o", 0), 12);
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        header[156] = '0';
        put(header, 257, "ustar", 6);
        put(header, 263, "00", 2);
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum), 7);
        int padded = (content.length + 511) / 512 * 512;
        byte[] out = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    private static void put(byte[] header, int offset, String value, int max) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, Math.min(b.length, max));
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] data) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }
}
