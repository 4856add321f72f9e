package dev.wharf.credentials;

import java.time.OffsetDateTime;

/**
 * Which credentials a listing wants, in what order, which page. Every filter is optional (null) and they combine
 * with AND. Start with {@link #of(Credential.Kind)} and set what is needed; each setter returns this query.
 */
public final class CredentialQuery {
    /** Orders; every one ends with the id, so pages never overlap. Credentials without the value sort last. */
    public enum Sort {
        ID_ASC("c.id ASC"),
        NEWEST("c.created_at DESC, c.id DESC"),
        OLDEST("c.created_at ASC, c.id ASC"),
        CREATED_DESC("c.created_at DESC, c.id ASC"),
        EXPIRES_ASC("c.expires_at ASC NULLS LAST, c.id ASC"),
        EXPIRES_DESC("c.expires_at DESC NULLS LAST, c.id ASC"),
        LAST_USED_ASC("c.last_used ASC NULLS LAST, c.id ASC"),
        LAST_USED_DESC("c.last_used DESC NULLS LAST, c.id ASC"),
        NAME_ASC("c.label ASC, c.id ASC"),
        NAME_DESC("c.label DESC, c.id ASC");

        final String sql;

        Sort(String sql) {
            this.sql = sql;
        }
    }

    final Credential.Kind kind;
    Long ownerId;
    boolean includeDeleted;
    boolean countActive;
    Boolean revoked;
    Boolean usable;
    OffsetDateTime createdBefore;
    OffsetDateTime createdAfter;
    OffsetDateTime lastUsedBefore;
    OffsetDateTime lastUsedAfter;
    OffsetDateTime expiresBefore;
    OffsetDateTime expiresAfter;
    String nameContains;
    String nameIs;
    Sort sort = Sort.ID_ASC;
    long offset;
    int limit = 20;

    private CredentialQuery(Credential.Kind kind) {
        this.kind = kind;
    }

    /** Every credential of this kind that is not deleted, in id order, first page of 20. */
    public static CredentialQuery of(Credential.Kind kind) {
        return new CredentialQuery(kind);
    }

    public CredentialQuery owner(Long id) {
        this.ownerId = id;
        return this;
    }

    /** Also list credentials deleted through an API that deletes (they count as revoked). */
    public CredentialQuery includeDeleted() {
        this.includeDeleted = true;
        return this;
    }

    /**
     * Also count how many of the selected credentials are active (the Hub's {@code active_count}). It reads every
     * selected row, where the total alone can be counted from an index, so only lists that show it ask for it.
     */
    public CredentialQuery countingActive() {
        this.countActive = true;
        return this;
    }

    /** true: only revoked (or deleted) ones; false: only the others. */
    public CredentialQuery revoked(Boolean value) {
        this.revoked = value;
        return this;
    }

    /** true: only those that authenticate now; false: only those that do not. */
    public CredentialQuery usable(Boolean value) {
        this.usable = value;
        return this;
    }

    /** Created at or before / at or after. */
    public CredentialQuery created(OffsetDateTime before, OffsetDateTime after) {
        this.createdBefore = before;
        this.createdAfter = after;
        return this;
    }

    /** Last used at or before / at or after; never-used credentials match neither bound. */
    public CredentialQuery lastUsed(OffsetDateTime before, OffsetDateTime after) {
        this.lastUsedBefore = before;
        this.lastUsedAfter = after;
        return this;
    }

    /** Expiring strictly before / at or after; credentials that never expire match neither bound. */
    public CredentialQuery expires(OffsetDateTime before, OffsetDateTime after) {
        this.expiresBefore = before;
        this.expiresAfter = after;
        return this;
    }

    /** Names containing {@code contains} and/or equal to {@code is}, ignoring case. */
    public CredentialQuery name(String contains, String is) {
        this.nameContains = contains;
        this.nameIs = is;
        return this;
    }

    public CredentialQuery sort(Sort value) {
        this.sort = value;
        return this;
    }

    public CredentialQuery page(long newOffset, int newLimit) {
        this.offset = newOffset;
        this.limit = newLimit;
        return this;
    }
}
