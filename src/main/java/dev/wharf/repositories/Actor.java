package dev.wharf.repositories;

import java.util.UUID;

/** Who makes a change, for the audit log: an account name and the credential used (null for a password). */
public record Actor(String name, UUID credential) {
}
