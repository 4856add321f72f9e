package dev.wharf.audit;

/**
 * The account whose audit log an event belongs to: a user or an organization, by id (never reused, so a new account
 * that takes a deleted account's name never reads its history) and by name (shown in the event).
 */
public record LogOwner(long id, String name) {
}
