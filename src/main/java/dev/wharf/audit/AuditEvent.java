package dev.wharf.audit;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One recorded event. {@code account} is the name of the account whose log it belongs to, as it was when recorded;
 * {@code name} is what was acted on (a repository, org, user or token label); {@code data} never carries a secret.
 */
public record AuditEvent(String account, String action, String name, String actor, UUID credentialUuid,
                         Map<String, String> data, OffsetDateTime timestamp) {

    /** A one-line human description, in the style of Docker Hub's {@code action_description}. */
    public String describe() {
        String tag = data.getOrDefault("tag", "");
        String digest = data.getOrDefault("digest", "");
        return switch (action) {
            case "repo.tag.push" -> "pushed the tag " + tag + " with the digest " + digest + " to the repository " + name;
            case "repo.tag.delete" -> "deleted the tag " + tag + " from the repository " + name;
            case "repo.manifest.delete" -> "deleted the manifest " + digest + " from the repository " + name;
            case "repo.create" -> "created the repository " + name;
            case "repo.delete" -> "deleted the repository " + name;
            case "org.create" -> "created the organization " + name;
            case "org.member.add" -> "added " + name + " to the organization as " + data.getOrDefault("role", "member");
            case "org.member.remove" -> "removed " + name + " from the organization";
            case "org.member.role.change" -> "changed the role of " + name + " to " + data.getOrDefault("role", "");
            case "user.create" -> "created the user " + name;
            case "user.delete" -> "deleted the user " + name;
            case "user.login.failed" -> "failed to sign in as " + name + " from " + data.getOrDefault("ip", "unknown");
            case "user.access_token.create" -> "created the access token " + name;
            case "user.access_token.update" -> "updated the access token " + name;
            case "user.access_token.delete" -> "deleted the access token " + name;
            default -> action + " " + name;
        };
    }
}
