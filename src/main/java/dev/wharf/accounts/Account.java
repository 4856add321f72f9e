package dev.wharf.accounts;

import dev.wharf.audit.Actor;
import dev.wharf.audit.LogOwner;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A user or an organization. Users and organizations share one namespace of names; ids are never reused. */
public record Account(long id, UUID uuid, String name, Kind kind, String email, boolean siteAdmin,
                      OffsetDateTime createdAt) {

    public enum Kind { USER, ORG }

    public boolean isOrg() {
        return kind == Kind.ORG;
    }

    /** This account's audit log. */
    public LogOwner logOwner() {
        return new LogOwner(id, name);
    }

    /** This account as the actor of a change made with its password (or by the server on its behalf). */
    public Actor asActor() {
        return new Actor(id, name, null);
    }
}
