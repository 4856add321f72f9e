package dev.wharf.accounts;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A user or an organization. Users and organizations share one namespace of names. */
public record Account(long id, UUID uuid, String name, Kind kind, String email, boolean siteAdmin,
                      OffsetDateTime createdAt) {

    public enum Kind { USER, ORG }

    public boolean isOrg() {
        return kind == Kind.ORG;
    }
}
