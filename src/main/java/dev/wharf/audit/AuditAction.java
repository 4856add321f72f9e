package dev.wharf.audit;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Every action Wharf records, as {@code <group>.<name>}. Docker Hub's own names are used where Hub has one;
 * personal events that Hub does not log live in Wharf's {@code user} group.
 */
public enum AuditAction {
    ORG_CREATE("org", "create", "Organization Created", "Occurs when an organization is created."),
    ORG_DELETE("org", "delete", "Organization Deleted", "Occurs when an organization is deleted."),
    ORG_MEMBER_ADD("org", "member.add", "Member Added", "Occurs when a member is added to your organization."),
    ORG_MEMBER_REMOVE("org", "member.remove", "Member Removed",
            "Occurs when a member is removed from your organization."),
    ORG_MEMBER_ROLE_CHANGE("org", "member.role.change", "Member Role Changed",
            "Occurs when the role of a member in your organization is changed."),
    ORG_ACCESS_TOKEN_CREATE("org", "access_token.create", "Access Token Created",
            "Occurs when an organization access token is created."),
    ORG_ACCESS_TOKEN_UPDATE("org", "access_token.update", "Access Token Updated",
            "Occurs when an organization access token is renamed, re-scoped, activated or deactivated."),
    ORG_ACCESS_TOKEN_DELETE("org", "access_token.delete", "Access Token Deleted",
            "Occurs when an organization access token is deleted."),
    ORG_ACCESS_TOKEN_REVOKE("org", "access_token.revoke", "Access Token Revoked",
            "Occurs when an organization access token is revoked."),
    ORG_ACCESS_TOKEN_ROTATE("org", "access_token.rotate", "Access Token Rotated",
            "Occurs when an organization access token is replaced by a new secret."),
    ORG_ACCESS_TOKEN_GRACE_END("org", "access_token.grace_end", "Rotation Grace Ended",
            "Occurs when the old secret of a rotated organization access token stops working."),
    // Teams (Hub: groups) and their permissions on repositories
    ORG_TEAM_CREATE("org", "team.create", "Team Created", "Occurs when a team is created."),
    ORG_TEAM_UPDATE("org", "team.update", "Team Updated", "Occurs when a team is renamed or its description changes."),
    ORG_TEAM_DELETE("org", "team.delete", "Team Deleted", "Occurs when a team is deleted."),
    ORG_TEAM_MEMBER_ADD("org", "team.member.add", "Team Member Added", "Occurs when a member is added to a team."),
    ORG_TEAM_MEMBER_REMOVE("org", "team.member.remove", "Team Member Removed",
            "Occurs when a member is removed from a team."),
    ORG_TEAM_PERMISSION_UPDATE("org", "team.permission.update", "Team Repository Permission Changed",
            "Occurs when a team is given a permission on a repository, or its permission there changes."),
    // Org settings: the restricted-images policy (Hub's name) and the site admins' verified-publisher mark.
    ORG_SETTINGS_UPDATE("org", "settings.update", "Organization Settings Updated",
            "Occurs when an organization's settings, such as its restricted images, are changed."),
    ORG_VERIFIED_PUBLISHER_CHANGE("org", "verified_publisher.change", "Verified Publisher Changed",
            "Occurs when a site admin marks an organization as a verified publisher or removes the mark."),
    REPO_CREATE("repo", "create", "Repository Created", "Occurs when a repository is created."),
    REPO_DELETE("repo", "delete", "Repository Deleted", "Occurs when a repository is deleted."),
    REPO_TAG_PUSH("repo", "tag.push", "Tag Pushed", "Occurs when a tag is pushed."),
    REPO_TAG_DELETE("repo", "tag.delete", "Tag Deleted", "Occurs when a tag is deleted."),
    REPO_MANIFEST_DELETE("repo", "manifest.delete", "Manifest Deleted",
            "Occurs when a manifest is deleted by digest."),
    // Repository settings changed through the Hub API.
    REPO_UPDATE("repo", "update", "Repository Updated",
            "Occurs when the description or overview of a repository is updated."),
    REPO_CHANGE_PRIVACY("repo", "change_privacy", "Privacy Changed",
            "Occurs when the privacy of a repository is changed."),
    REPO_IMMUTABLE_TAGS_UPDATED("repo", "immutable.tags.updated", "Immutable Tags Updated",
            "Occurs when the immutable tags settings of a repository are updated."),
    // Retention policies, of a repository or as a namespace's default (data: scope).
    REPO_RETENTION_SET("repo", "retention.set", "Retention Policy Set",
            "Occurs when the retention policy of a repository, or the default of a namespace, is set or changed."),
    REPO_RETENTION_DELETE("repo", "retention.delete", "Retention Policy Deleted",
            "Occurs when the retention policy of a repository, or the default of a namespace, is removed."),
    USER_CREATE("user", "create", "User Created", "Occurs when a user account is created."),
    USER_DELETE("user", "delete", "User Deleted", "Occurs when a user account is deleted."),
    USER_LOGIN_FAILED("user", "login.failed", "Sign-in Failed", "Occurs when a sign-in attempt fails."),
    USER_ACCESS_TOKEN_CREATE("user", "access_token.create", "Access Token Created",
            "Occurs when a personal access token is created."),
    USER_ACCESS_TOKEN_UPDATE("user", "access_token.update", "Access Token Updated",
            "Occurs when a personal access token is renamed, activated or deactivated."),
    USER_ACCESS_TOKEN_DELETE("user", "access_token.delete", "Access Token Deleted",
            "Occurs when a personal access token is deleted."),
    USER_ACCESS_TOKEN_REVOKE("user", "access_token.revoke", "Access Token Revoked",
            "Occurs when a personal access token is revoked."),
    USER_ACCESS_TOKEN_ROTATE("user", "access_token.rotate", "Access Token Rotated",
            "Occurs when a personal access token is replaced by a new secret."),
    USER_ACCESS_TOKEN_GRACE_END("user", "access_token.grace_end", "Rotation Grace Ended",
            "Occurs when the old secret of a rotated personal access token stops working."),
    // Recorded in the log of the site admin who started it (a scheduled one: the oldest site admin's).
    USER_GC_RUN("user", "gc.run", "Garbage Collection Ran",
            "Occurs when a garbage collection ends, with what it removed or, for a dry run, would remove.");

    /** Group key to its display label, in catalogue order. */
    public static final Map<String, String> GROUP_LABELS = Map.of(
            "org", "Organization", "repo", "Repository", "user", "User");
    public static final List<String> GROUP_ORDER = List.of("org", "repo", "user");

    private final String group;
    private final String shortName;
    private final String label;
    private final String description;

    AuditAction(String group, String shortName, String label, String description) {
        this.group = group;
        this.shortName = shortName;
        this.label = label;
        this.description = description;
    }

    /** The full action name, e.g. {@code repo.tag.push}. */
    public String fullName() {
        return group + "." + shortName;
    }

    public String group() {
        return group;
    }

    /** The name within its group, as the actions catalogue lists it. */
    public String shortName() {
        return shortName;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    public static List<AuditAction> inGroup(String group) {
        return Arrays.stream(values()).filter(a -> a.group.equals(group)).toList();
    }
}
