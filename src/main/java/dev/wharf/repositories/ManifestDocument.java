package dev.wharf.repositories;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.repositories.RepositoryException.Kind;
import dev.wharf.storage.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What Wharf needs to know about a pushed manifest: its media type, the blobs and manifests it refers to, its subject
 * and artifact type. Accepts the OCI image manifest and index and the Docker schema 2 manifest and manifest list;
 * refuses schema 1 with a message saying so.
 *
 * @param blobs     the config and layers that must already be in the repository
 * @param manifests the child manifests of an index that must already be in the repository
 * @param subject   the manifest this one refers to (OCI 1.1 referrers), or null
 */
public record ManifestDocument(String mediaType, List<Digest> blobs, List<Digest> manifests, Digest subject,
                               String artifactType) {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final Set<String> SUPPORTED = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);
    private static final Set<String> SCHEMA1 = Set.of("application/vnd.docker.distribution.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v1+prettyjws");
    /** Content types that say nothing; the body's own {@code mediaType} decides. */
    private static final Set<String> GENERIC = Set.of("", "application/json", "application/octet-stream");
    private static final String SCHEMA1_REFUSED = "Docker schema 1 manifests are not supported; push an OCI or"
            + " Docker schema 2 manifest (schema 1 is deprecated and insecure)";
    /** RFC 6838 type/subtype, which also bounds the length stored for artifact types. */
    private static final java.util.regex.Pattern MEDIA_TYPE = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /**
     * Parses a manifest body sent with {@code contentType} (parameters ignored).
     *
     * @throws RepositoryException MANIFEST_INVALID with a message naming the problem
     */
    public static ManifestDocument parse(String contentType, byte[] body) {
        String declared = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase();
        if (SCHEMA1.contains(declared)) {
            throw invalid(SCHEMA1_REFUSED);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("manifest is not valid JSON");
        } catch (java.io.IOException e) {
            throw invalid("manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("manifest must be a JSON object");
        }
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion != null && schemaVersion.isInt() && schemaVersion.intValue() == 1) {
            throw invalid(SCHEMA1_REFUSED);
        }
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw invalid("schemaVersion must be 2");
        }
        String inBody = text(root, "mediaType");
        String mediaType;
        if (GENERIC.contains(declared)) {
            mediaType = inBody != null ? inBody : root.has("manifests") ? OCI_INDEX : OCI_MANIFEST;
        } else {
            if (inBody != null && !inBody.equals(declared)) {
                throw invalid("mediaType " + inBody + " does not match Content-Type " + declared);
            }
            mediaType = declared;
        }
        if (SCHEMA1.contains(mediaType)) {
            throw invalid(SCHEMA1_REFUSED);
        }
        if (!SUPPORTED.contains(mediaType)) {
            throw invalid("unsupported manifest media type " + mediaType + "; supported: " + String.join(", ",
                    List.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST)));
        }
        Digest subject = root.has("subject") ? descriptor(root.get("subject"), "subject") : null;
        String artifactType = text(root, "artifactType");
        if (artifactType != null && !MEDIA_TYPE.matcher(artifactType).matches()) {
            throw invalid("artifactType must be a media type");
        }
        List<Digest> blobs = new ArrayList<>();
        List<Digest> children = new ArrayList<>();
        if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST)) {
            JsonNode list = root.get("manifests");
            if (list == null || !list.isArray()) {
                throw invalid("an index needs a manifests array");
            }
            for (JsonNode m : list) {
                children.add(descriptor(m, "manifests[]"));
            }
        } else {
            JsonNode config = root.get("config");
            if (config == null) {
                throw invalid("an image manifest needs a config descriptor");
            }
            blobs.add(descriptor(config, "config"));
            if (artifactType == null) {
                artifactType = text(config, "mediaType");
            }
            JsonNode layers = root.get("layers");
            if (layers == null || !layers.isArray()) {
                throw invalid("an image manifest needs a layers array");
            }
            for (JsonNode layer : layers) {
                Digest d = descriptor(layer, "layers[]");
                // Foreign (non-distributable) layers live at their URLs, not in this registry.
                if (!layer.has("urls")) {
                    blobs.add(d);
                }
            }
        }
        return new ManifestDocument(mediaType, List.copyOf(blobs), List.copyOf(children), subject, artifactType);
    }

    /** Validates a descriptor's shape and returns its digest. */
    private static Digest descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be a descriptor object");
        }
        String digest = text(node, "digest");
        String problem = Digest.problem(digest);
        if (problem != null) {
            throw invalid(where + ": " + problem);
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw invalid(where + ": size must be a non-negative integer");
        }
        String mediaType = text(node, "mediaType");
        if (mediaType == null || !MEDIA_TYPE.matcher(mediaType).matches()) {
            throw invalid(where + ": mediaType must be a media type");
        }
        return Digest.parse(digest);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field + " must be a string");
        }
        return value.textValue();
    }

    private static RepositoryException invalid(String message) {
        return new RepositoryException(Kind.MANIFEST_INVALID, message);
    }
}
