package dev.wharf.audit;

import java.util.UUID;

/**
 * Who makes a change, for the audit log: the account (by id, which is never reused, and by its name at the time), and
 * the credential used (null for a password). {@link #SYSTEM} is Wharf itself, for changes no account made.
 */
public record Actor(Long accountId, String name, UUID credential) {
    public static final Actor SYSTEM = new Actor(null, "wharf", null);
    /** The garbage collector and the retention policies it applies. */
    public static final Actor COLLECTOR = new Actor(null, "wharf-gc", null);
}
