package dev.wharf.registry;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.storage.Digest;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;

/** {@code /v2/<name>/blobs/<digest>}: HEAD, GET (with Range) and DELETE. */
final class BlobHandlers {
    private final Repositories repositories;

    BlobHandlers(Repositories repositories) {
        this.repositories = repositories;
    }

    void head(RegistryRequest r) {
        Blob blob = find(r);
        headers(r.ctx(), blob);
        r.ctx().header("Content-Length", String.valueOf(blob.size));
        r.ctx().status(200);
    }

    void get(RegistryRequest r) throws IOException {
        Blob blob = find(r);
        Context ctx = r.ctx();
        headers(ctx, blob);
        Optional<URI> redirect = repositories.blobRedirect(blob.digest);
        if (redirect.isPresent()) {
            // As distribution does with its S3 driver: the client fetches the bytes (and any Range) from storage.
            ctx.header("Location", redirect.get().toString());
            ctx.status(307);
            return;
        }
        long start = 0;
        long length = blob.size;
        String range = ctx.header("Range");
        if (range != null) {
            long[] span = ByteRange.parse(range, blob.size);
            if (span == null) {
                throw new RegistryException(OciError.RANGE_INVALID, "range not satisfiable: " + range)
                        .header("Content-Range", "bytes */" + blob.size);
            }
            if (span.length == 2) {
                start = span[0];
                length = span[1] - span[0] + 1;
                ctx.status(206);
                ctx.header("Content-Range", "bytes " + span[0] + "-" + span[1] + "/" + blob.size);
            }
        }
        if (ctx.statusCode() != 206) {
            ctx.status(200);
        }
        ctx.header("Content-Length", String.valueOf(length));
        try (ResponseChannel out = new ResponseChannel(ctx.res().getOutputStream())) {
            repositories.sendBlob(blob.digest, start, length, out);
        }
    }

    void delete(RegistryRequest r) {
        Digest digest = digest(r.parameter("digest"));
        repositories.unlinkBlob(repositories.require(r.name()), digest);
        r.ctx().status(202);
    }

    private record Blob(Digest digest, long size) {
    }

    private Blob find(RegistryRequest r) {
        Digest digest = digest(r.parameter("digest"));
        Repository repo = repositories.require(r.name());
        OptionalLong size = repositories.blobSize(repo, digest);
        if (size.isEmpty()) {
            throw new DomainException.NotFound(Reason.BLOB_UNKNOWN, "blob " + digest + " is not in " + r.name());
        }
        return new Blob(digest, size.getAsLong());
    }

    private static void headers(Context ctx, Blob blob) {
        ctx.header("Docker-Content-Digest", blob.digest.toString());
        ctx.header("Content-Type", "application/octet-stream");
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("ETag", "\"" + blob.digest + "\"");
        ctx.header("Cache-Control", "max-age=31536000");
    }

    /** Parses a digest from the path or a query parameter, or refuses it as invalid. */
    static Digest digest(String value) {
        String problem = Digest.problem(value);
        if (problem != null) {
            throw new DomainException.Invalid(Reason.DIGEST_INVALID, problem);
        }
        return Digest.parse(value);
    }
}
