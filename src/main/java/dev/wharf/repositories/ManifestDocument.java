package dev.wharf.repositories;

import dev.wharf.core.DomainException;
import dev.wharf.core.JsonDocuments;
import dev.wharf.core.Reason;
import dev.wharf.storage.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Wharf needs to know about a pushed manifest: its media type, what it refers to (an image's config and
 * layers, an index's child manifests with their platforms), its subject and artifact type. Accepts the OCI image
 * manifest and index and the Docker schema 2 manifest and manifest list; refuses schema 1 with a message saying so.
 *
 * <p>The body is bound to small records, never to a tree: fields Wharf does not use (annotations, history) stream
 * past without being kept, and the parser's limits bound the rest, so a hostile manifest costs little memory.
 *
 * @param references the config and layers that must already be in the repository, or the child manifests of an
 *                   index, in the manifest's order
 * @param subject    the manifest this one refers to (OCI 1.1 referrers), or null
 */
public record ManifestDocument(String mediaType, List<Reference> references, Digest subject, String artifactType) {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final Set<String> SUPPORTED = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);
    /** More references than any real image or index has; a manifest with more is refused, not stored. */
    public static final int MAX_REFERENCES = 10_000;
    private static final Set<String> SCHEMA1 = Set.of("application/vnd.docker.distribution.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v1+prettyjws");
    /** Content types that say nothing; the body's own {@code mediaType} decides. */
    private static final Set<String> GENERIC = Set.of("", "application/json", "application/octet-stream");
    private static final String SCHEMA1_REFUSED = "Docker schema 1 manifests are not supported; push an OCI or"
            + " Docker schema 2 manifest (schema 1 is deprecated and insecure)";
    /** RFC 6838 type/subtype, which also bounds the length stored for media and artifact types. */
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");
    /** Platform fields as stored (os, architecture, variant): short names such as {@code linux}, {@code arm64}. */
    private static final Pattern PLATFORM_FIELD = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** What a manifest refers to. */
    public enum Kind { CONFIG, LAYER, MANIFEST }

    /** One reference; {@code platform} is given for an index's children that state one. */
    public record Reference(Kind kind, Digest digest, long size, String mediaType, Platform platform) {
    }

    /** The platform an image runs on; any part may be null. */
    public record Platform(String os, String architecture, String variant) {
        static Platform of(String os, String architecture, String variant) {
            return os == null && architecture == null && variant == null ? null
                    : new Platform(field(os, "os"), field(architecture, "architecture"), field(variant, "variant"));
        }

        private static String field(String value, String name) {
            if (value != null && !PLATFORM_FIELD.matcher(value).matches()) {
                throw invalid("platform." + name + " must be a short name (letters, digits, . _ -)");
            }
            return value;
        }
    }

    /** The fields of a manifest or index that Wharf reads; everything else is skipped. */
    private record Body(Integer schemaVersion, String mediaType, String artifactType, Descriptor config,
                        List<Descriptor> layers, List<Descriptor> manifests, Descriptor subject) {
    }

    private record Descriptor(String mediaType, String digest, Long size, List<String> urls,
                              PlatformJson platform) {
    }

    private record PlatformJson(String os, String architecture, String variant) {
    }

    /** The fields of an image config that name its platform. */
    private record Config(String os, String architecture, String variant) {
    }

    /** The config and layers. */
    public List<Reference> blobs() {
        return references.stream().filter(r -> r.kind() != Kind.MANIFEST).toList();
    }

    /** The child manifests of an index. */
    public List<Reference> manifests() {
        return references.stream().filter(r -> r.kind() == Kind.MANIFEST).toList();
    }

    /** The config of an image manifest, or null for an index. */
    public Reference config() {
        return references.stream().filter(r -> r.kind() == Kind.CONFIG).findFirst().orElse(null);
    }

    public boolean isIndex() {
        return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST);
    }

    /**
     * Parses a manifest body sent with {@code contentType} (parameters ignored).
     *
     * @throws DomainException.Invalid with {@link Reason#MANIFEST_INVALID} and a message naming the problem
     */
    public static ManifestDocument parse(String contentType, byte[] body) {
        String declared = contentType == null ? ""
                : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (SCHEMA1.contains(declared)) {
            throw invalid(SCHEMA1_REFUSED);
        }
        Body root;
        try {
            root = JsonDocuments.read(body, Body.class);
        } catch (JsonDocuments.Malformed e) {
            throw invalid(e.path().isEmpty() ? "manifest: " + e.getMessage() : e.path() + ": " + e.getMessage());
        } catch (DomainException.TooLarge e) {
            throw invalid("manifest is too large");
        }
        if (root.schemaVersion() != null && root.schemaVersion() == 1) {
            throw invalid(SCHEMA1_REFUSED);
        }
        if (root.schemaVersion() == null || root.schemaVersion() != 2) {
            throw invalid("schemaVersion must be 2");
        }
        String mediaType = mediaType(declared, root);
        Digest subject = root.subject() == null ? null : descriptor(root.subject(), "subject").digest();
        String artifactType = root.artifactType();
        if (artifactType != null && !MEDIA_TYPE.matcher(artifactType).matches()) {
            throw invalid("artifactType must be a media type");
        }
        List<Reference> references = new ArrayList<>();
        if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST)) {
            if (root.manifests() == null) {
                throw invalid("an index needs a manifests array");
            }
            bounded(root.manifests().size());
            for (Descriptor child : root.manifests()) {
                Reference d = descriptor(child, "manifests[]");
                PlatformJson p = child.platform();
                references.add(new Reference(Kind.MANIFEST, d.digest(), d.size(), d.mediaType(),
                        p == null ? null : Platform.of(p.os(), p.architecture(), p.variant())));
            }
        } else {
            if (root.config() == null) {
                throw invalid("an image manifest needs a config descriptor");
            }
            if (root.layers() == null) {
                throw invalid("an image manifest needs a layers array");
            }
            bounded(root.layers().size());
            Reference config = descriptor(root.config(), "config");
            references.add(new Reference(Kind.CONFIG, config.digest(), config.size(), config.mediaType(), null));
            if (artifactType == null) {
                artifactType = config.mediaType();
            }
            for (Descriptor layer : root.layers()) {
                Reference d = descriptor(layer, "layers[]");
                // Foreign (non-distributable) layers live at their URLs, not in this registry.
                if (layer.urls() == null) {
                    references.add(new Reference(Kind.LAYER, d.digest(), d.size(), d.mediaType(), null));
                }
            }
        }
        return new ManifestDocument(mediaType, List.copyOf(references), subject, artifactType);
    }

    /**
     * The platform an image config names ({@code os}, {@code architecture}, {@code variant}), or null when it names
     * none or is not a JSON object Wharf can read (an artifact's config need not be an image config).
     */
    public static Platform platformOf(byte[] config) {
        try {
            Config c = JsonDocuments.read(config, Config.class);
            return Platform.of(c.os(), c.architecture(), c.variant());
        } catch (JsonDocuments.Malformed | DomainException.Invalid e) {
            return null;
        }
    }

    private static String mediaType(String declared, Body root) {
        String inBody = root.mediaType();
        String mediaType;
        if (GENERIC.contains(declared)) {
            mediaType = inBody != null ? inBody : root.manifests() != null ? OCI_INDEX : OCI_MANIFEST;
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
        return mediaType;
    }

    private static void bounded(int count) {
        if (count > MAX_REFERENCES) {
            throw invalid("a manifest may refer to at most " + MAX_REFERENCES + " blobs or manifests");
        }
    }

    /** Validates a descriptor's shape. */
    private static Reference descriptor(Descriptor d, String where) {
        String problem = Digest.problem(d.digest());
        if (problem != null) {
            throw invalid(where + ": " + problem);
        }
        if (d.size() == null || d.size() < 0) {
            throw invalid(where + ": size must be a non-negative integer");
        }
        if (d.mediaType() == null || !MEDIA_TYPE.matcher(d.mediaType()).matches()) {
            throw invalid(where + ": mediaType must be a media type");
        }
        return new Reference(null, Digest.parse(d.digest()), d.size(), d.mediaType(), null);
    }

    private static DomainException.Invalid invalid(String message) {
        return new DomainException.Invalid(Reason.MANIFEST_INVALID, message);
    }
}
