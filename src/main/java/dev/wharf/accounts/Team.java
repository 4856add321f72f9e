package dev.wharf.accounts;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A team (Docker Hub: group) of an organization's members, with how many members it has. */
public record Team(long id, UUID uuid, long orgId, String name, String description, OffsetDateTime createdAt,
                   long memberCount) {
}
