package dev.wharf.registry;

import dev.wharf.access.AccessPolicy;
import dev.wharf.audit.LogOwner;
import dev.wharf.core.DomainException;
import dev.wharf.core.MemoryBudget;
import dev.wharf.core.Reason;
import dev.wharf.repositories.PullCounter;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.repositories.StoredManifest;
import dev.wharf.storage.Digest;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collections;

/** {@code /v2/<name>/manifests/<reference>}: HEAD, GET, PUT and DELETE, by tag or by digest. */
final class ManifestHandlers {
    private final Repositories repositories;
    private final PullCounter pulls;
    private final AccessPolicy policy;
    /** Manifest bodies are held whole while they are checked and stored; together they stay within this. */
    private final MemoryBudget bodies;

    ManifestHandlers(Repositories repositories, PullCounter pulls, AccessPolicy policy, MemoryBudget bodies) {
        this.repositories = repositories;
        this.pulls = pulls;
        this.policy = policy;
        this.bodies = bodies;
    }

    void head(RegistryRequest r) {
        StoredManifest m = find(r);
        headers(r.ctx(), m);
        r.ctx().status(200);
    }

    void get(RegistryRequest r) throws IOException {
        Repository repo = repositories.require(r.name());
        StoredManifest m = find(r, repo);
        byte[] body = repositories.manifestBytes(m);
        String reference = r.parameter("reference");
        pulls.pulled(repo, m, Digest.looksLikeDigest(reference) ? null : reference);
        headers(r.ctx(), m);
        r.ctx().status(200);
        r.ctx().res().getOutputStream().write(body);
    }

    @SuppressWarnings("try") // the lease is held for the whole block, not used in it
    void put(RegistryRequest r) throws IOException {
        Context ctx = r.ctx();
        String reference = r.parameter("reference");
        boolean byDigest = Digest.looksLikeDigest(reference);
        Digest expected = byDigest ? BlobHandlers.digest(reference) : null;
        long max = repositories.manifestMaxBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(declared, max);
        }
        Repositories.Pushed pushed;
        try (MemoryBudget.Lease lease = bodies.take(declared >= 0 ? declared : max)) {
            byte[] body = readBounded(ctx, declared, max);
            Repository repo = repositories.find(r.name()).orElse(null);
            if (repo == null) {
                repo = repositories.findOrCreate(r.name(), namespace(policy, r.name()), r.caller().actor());
            }
            pushed = repositories.putManifest(repo, byDigest ? null : reference, expected,
                    ctx.header("Content-Type"), body, r.caller().actor());
        }
        ctx.header("Location", "/v2/" + r.name() + "/manifests/" + pushed.digest());
        ctx.header("Docker-Content-Digest", pushed.digest().toString());
        if (pushed.subject() != null) {
            ctx.header("OCI-Subject", pushed.subject().toString());
        }
        ctx.status(201);
    }

    void delete(RegistryRequest r) {
        Repository repo = repositories.require(r.name());
        String reference = r.parameter("reference");
        if (Digest.looksLikeDigest(reference)) {
            repositories.deleteManifest(repo, BlobHandlers.digest(reference), r.caller().actor());
        } else {
            repositories.deleteTag(repo, checkTag(reference), r.caller().actor());
        }
        r.ctx().status(202);
    }

    /** The audit log of the account that owns the repository's namespace, for a repository a push creates. */
    static LogOwner namespace(AccessPolicy policy, RepositoryName name) {
        return policy.namespace(name.namespace()).map(a -> a.logOwner())
                .orElseThrow(() -> new DomainException.NotFound(Reason.REPOSITORY_UNKNOWN, "no such namespace"));
    }

    private StoredManifest find(RegistryRequest r) {
        return find(r, repositories.require(r.name()));
    }

    /**
     * The manifest a reference names, if the client accepts its media type. A client that does not accept it gets
     * MANIFEST_UNKNOWN, as CNCF distribution answers; no format conversion happens.
     */
    private StoredManifest find(RegistryRequest r, Repository repo) {
        String reference = r.parameter("reference");
        if (Digest.looksLikeDigest(reference)) {
            BlobHandlers.digest(reference);
        } else {
            checkTag(reference);
        }
        StoredManifest m = repositories.manifest(repo, reference).orElseThrow(() -> new DomainException.NotFound(
                Reason.MANIFEST_UNKNOWN, "manifest " + reference + " is not in " + r.name()));
        if (!Accept.allows(Collections.list(r.ctx().req().getHeaders("Accept")), m.mediaType())) {
            throw new DomainException.NotFound(Reason.MANIFEST_UNKNOWN,
                    "manifest " + reference + " is " + m.mediaType() + ", which the Accept header does not list");
        }
        return m;
    }

    /** A reference that is not a valid tag names no manifest (tags are validated when pushed). */
    private static String checkTag(String tag) {
        if (!Repositories.TAG.matcher(tag).matches()) {
            throw new DomainException.NotFound(Reason.MANIFEST_UNKNOWN, "invalid tag: must match "
                    + Repositories.TAG.pattern());
        }
        return tag;
    }

    private static void headers(Context ctx, StoredManifest m) {
        ctx.header("Content-Type", m.mediaType());
        ctx.header("Docker-Content-Digest", m.digest().toString());
        ctx.header("Content-Length", String.valueOf(m.size()));
        ctx.header("ETag", "\"" + m.digest() + "\"");
    }

    /**
     * Reads a request body of at most {@code max} bytes; a larger one gets 413 (the error writer drains the rest). A
     * body of declared length is read into an array of that size (the server holds the client to it), sparing the
     * copies of reading one of unknown length.
     */
    private static byte[] readBounded(Context ctx, long declared, long max) throws IOException {
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared >= 0) {
                byte[] body = new byte[(int) declared];
                int read = in.readNBytes(body, 0, body.length);
                return read == body.length ? body : Arrays.copyOf(body, read);
            }
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (body.length > max) {
                throw tooLarge(body.length, max);
            }
            return body;
        }
    }

    private static RegistryException tooLarge(long size, long max) {
        return new RegistryException(OciError.MANIFEST_TOO_LARGE,
                "manifest is " + (size > max ? "more than " + max : size) + " bytes; the limit is " + max);
    }
}
