package dev.wharf.storage;

import java.net.URI;

/**
 * Where an {@link S3BlobStore} keeps its blobs, and how it signs in.
 *
 * @param endpoint  the service's URL, or null for AWS S3 itself
 * @param region    the signing region (S3-compatible services take any, usually {@code us-east-1})
 * @param bucket    an existing bucket
 * @param prefix    a key prefix under which everything is kept, or empty for the bucket's root
 * @param pathStyle whether the bucket goes in the URL's path rather than its host name (MinIO, Ceph, S3Proxy)
 * @param accessKey the access key id, or null for the SDK's default credentials chain
 * @param secretKey the secret access key, with {@code accessKey}; never shown by {@link #toString}
 * @param redirect  whether blob downloads answer with a short-lived presigned URL instead of the bytes
 */
public record S3Settings(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
                         String accessKey, String secretKey, boolean redirect) {

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("S3 storage needs a bucket (--s3-bucket)");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("--s3-access-key and --s3-secret-key go together");
        }
        region = region == null || region.isBlank() ? "us-east-1" : region;
        prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        prefix = prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", pathStyle=" + pathStyle + ", accessKey=" + accessKey
                + ", secretKey=" + (secretKey == null ? null : "(hidden)") + ", redirect=" + redirect + "]";
    }
}
