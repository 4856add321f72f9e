package dev.wharf.registry;

import dev.wharf.access.AccessPolicy;
import dev.wharf.repositories.Action;
import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.repositories.Uploads;
import dev.wharf.storage.Digest;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blob uploads: {@code POST /v2/<name>/blobs/uploads/} (monolithic with {@code ?digest=}, cross-repository mount
 * with {@code ?mount=&from=}, or the start of a session) and {@code GET|PATCH|PUT|DELETE
 * /v2/<name>/blobs/uploads/<uuid>} on a session. Bodies are streamed from the connection into the blob store.
 */
final class UploadHandlers {
    /** {@code <start>-<end>}, optionally with the {@code bytes} unit and a total, as clients send it. */
    private static final Pattern CONTENT_RANGE =
            Pattern.compile("(?:bytes[ =])?(\\d{1,18})-(\\d{1,18})(?:/(?:\\d{1,18}|\\*))?");

    private final Repositories repositories;
    private final Uploads uploads;
    private final RegistryAuth auth;
    private final AccessPolicy policy;

    UploadHandlers(Repositories repositories, Uploads uploads, RegistryAuth auth, AccessPolicy policy) {
        this.repositories = repositories;
        this.uploads = uploads;
        this.auth = auth;
        this.policy = policy;
    }

    void start(RegistryRequest r) throws IOException {
        Context ctx = r.ctx();
        String mount = r.query("mount");
        String from = r.query("from");
        if (mount != null && from != null && mounted(r, BlobHandlers.digest(mount), from)) {
            return;
        }
        Repository repo = repository(r);
        String digest = r.query("digest");
        if (digest != null) {
            Digest d = BlobHandlers.digest(digest);
            uploads.putMonolithic(repo, d, body(ctx));
            created(ctx, r.name(), d);
            return;
        }
        Uploads.Upload upload = uploads.start(repo);
        progress(ctx, r.name(), upload, 0);
        ctx.status(202);
    }

    /** Mounts the blob from {@code from} when the caller may pull there and it holds the blob; else false. */
    private boolean mounted(RegistryRequest r, Digest digest, String from) {
        if (RepositoryName.problem(from) != null) {
            return false;
        }
        RepositoryName source = new RepositoryName(from);
        if (!auth.may(r.caller(), source, EnumSet.of(Action.PULL))) {
            return false;
        }
        Optional<Repository> sourceRepo = repositories.find(source);
        if (sourceRepo.isEmpty()) {
            return false;
        }
        OptionalLong size = repositories.mount(repository(r), sourceRepo.get(), digest);
        if (size.isEmpty()) {
            return false;
        }
        created(r.ctx(), r.name(), digest);
        return true;
    }

    void status(RegistryRequest r) {
        Uploads.Upload upload = session(r);
        progress(r.ctx(), r.name(), upload, uploads.size(upload));
        r.ctx().status(204);
    }

    void patch(RegistryRequest r) throws IOException {
        Uploads.Upload upload = session(r);
        long size = append(r, upload);
        progress(r.ctx(), r.name(), upload, size);
        r.ctx().status(202);
    }

    void complete(RegistryRequest r) throws IOException {
        String digest = r.query("digest");
        if (digest == null) {
            throw new RegistryException(OciError.DIGEST_INVALID, "the digest query parameter is required");
        }
        Digest d = BlobHandlers.digest(digest);
        Uploads.Upload upload = session(r);
        append(r, upload);
        uploads.complete(upload, d);
        created(r.ctx(), r.name(), d);
    }

    void cancel(RegistryRequest r) {
        uploads.cancel(session(r));
        r.ctx().status(204);
    }

    /** Appends the request body where its Content-Range says it starts; a chunk out of order gets 416. */
    private long append(RegistryRequest r, Uploads.Upload upload) throws IOException {
        long offset = -1;
        String range = r.header("Content-Range");
        if (range != null) {
            Matcher m = CONTENT_RANGE.matcher(range.trim());
            if (!m.matches()) {
                throw new RegistryException(OciError.BLOB_UPLOAD_INVALID, "malformed Content-Range: " + range);
            }
            offset = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            String length = r.header("Content-Length");
            if (end < offset || (length != null && !length.equals(String.valueOf(end - offset + 1)))) {
                throw new RegistryException(OciError.BLOB_UPLOAD_INVALID,
                        "Content-Range " + range + " does not match Content-Length " + length);
            }
        }
        try {
            // The store checks the offset under the upload's lock, before it reads a byte of the body.
            return uploads.append(upload, offset, body(r.ctx()));
        } catch (DomainException.Conflict e) {
            if (e.reason() == Reason.UPLOAD_OFFSET) {
                RegistryException out = new RegistryException(OciError.BLOB_UPLOAD_OUT_OF_ORDER, e.getMessage());
                progressHeaders(out, r.name(), upload, uploads.size(upload));
                throw out;
            }
            throw e;
        }
    }

    private Uploads.Upload session(RegistryRequest r) {
        return uploads.require(repositories.require(r.name()), r.parameter("uuid"));
    }

    /** The repository, created by this first push if needed (the caller's push right was checked already). */
    private Repository repository(RegistryRequest r) {
        Optional<Repository> repo = repositories.find(r.name());
        if (repo.isPresent()) {
            return repo.get();
        }
        return repositories.findOrCreate(r.name(), ManifestHandlers.namespace(policy, r.name()),
                r.caller().actor());
    }

    private static InputStream body(Context ctx) throws IOException {
        return ctx.req().getInputStream();
    }

    private static void created(Context ctx, RepositoryName name, Digest digest) {
        ctx.header("Location", "/v2/" + name + "/blobs/" + digest);
        ctx.header("Docker-Content-Digest", digest.toString());
        ctx.status(201);
    }

    private static void progress(Context ctx, RepositoryName name, Uploads.Upload upload, long size) {
        ctx.header("Location", location(name, upload));
        ctx.header("Range", range(size));
        ctx.header("Docker-Upload-UUID", upload.id().toString());
    }

    private static void progressHeaders(RegistryException e, RepositoryName name, Uploads.Upload upload, long size) {
        e.header("Location", location(name, upload)).header("Range", range(size))
                .header("Docker-Upload-UUID", upload.id().toString());
    }

    private static String location(RepositoryName name, Uploads.Upload upload) {
        return "/v2/" + name + "/blobs/uploads/" + upload.id();
    }

    /** {@code 0-<last byte>}; CNCF distribution writes {@code 0-0} for an empty upload, and clients expect that. */
    private static String range(long size) {
        return "0-" + Math.max(0, size - 1);
    }
}
