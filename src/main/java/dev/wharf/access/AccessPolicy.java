package dev.wharf.access;

import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Role;
import dev.wharf.accounts.TeamPermission;
import dev.wharf.accounts.Teams;
import dev.wharf.auth.Principal;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.Resource;
import dev.wharf.credentials.Scope;
import dev.wharf.repositories.Action;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The one answer to "may this principal do this action on this repository", asked by every dialect. What a caller may
 * do is what the account's grants give it, limited by what its credential allows:
 * <table>
 *   <caption>grants of the account</caption>
 *   <tr><td>its own namespace (a robot's: its organization's)</td><td>pull, push, delete, list</td></tr>
 *   <tr><td>org owner / editor / member</td><td>pull, push, delete, list / pull, push, list / pull, list</td></tr>
 *   <tr><td>an org member's teams' read / write / admin on the repository</td><td>pull / pull, push / pull, push,
 *   delete</td></tr>
 *   <tr><td>anyone, even anonymous, on a public repository</td><td>pull</td></tr>
 * </table>
 * <table>
 *   <caption>limits of the credential</caption>
 *   <tr><td>password or session from one</td><td>none: whatever the account may</td></tr>
 *   <tr><td>repo:public_read / read</td><td>pull public repositories / pull</td></tr>
 *   <tr><td>repo:write / admin</td><td>pull, push / pull, push, delete</td></tr>
 *   <tr><td>no repository scope (management tokens)</td><td>nothing</td></tr>
 *   <tr><td>robot</td><td>what the resources that cover the repository allow</td></tr>
 * </table>
 * A repository that does not exist yet counts as private, so its existence never leaks. Grants are read through the
 * account and team stores' one-second caches, which every node forgets as soon as a membership or team change
 * commits.
 */
public final class AccessPolicy {
    private final Accounts accounts;
    private final Repositories repositories;
    private final Teams teams;
    private final ImageRestrictions imageRestrictions;

    public AccessPolicy(Accounts accounts, Repositories repositories, Teams teams,
                        ImageRestrictions imageRestrictions) {
        this.accounts = accounts;
        this.repositories = repositories;
        this.teams = teams;
        this.imageRestrictions = imageRestrictions;
    }

    /** What {@code principal} (null: anonymous) may do on {@code name}. */
    public Set<Action> actions(Principal principal, RepositoryName name) {
        Optional<Repository> repository = repositories.find(name);
        boolean isPublic = repository.map(r -> !r.isPrivate()).orElse(false);
        EnumSet<Action> granted = principal == null ? EnumSet.noneOf(Action.class)
                : granted(principal.account(), name.namespace(), repository);
        if (isPublic) {
            granted.add(Action.PULL);
        }
        granted.retainAll(Action.REPOSITORY);
        if (principal != null) {
            granted.retainAll(credentialLimit(principal.credential(), name, isPublic));
        }
        return granted;
    }

    /** Whether {@code principal} (null: anonymous) may do every one of {@code needed} on {@code name}. */
    public boolean allows(Principal principal, RepositoryName name, Set<Action> needed) {
        return actions(principal, name).containsAll(needed);
    }

    /**
     * Why {@code principal} (null: anonymous) may not pull the content of {@code name} even where {@link #actions}
     * grant the pull: an organization's restricted-images policy ({@link ImageRestrictions}). The registry asks this
     * before it issues or honours a pull. Only pulls are restricted, never pushes: with {@code forPush} (the pull is
     * a push's read-back, such as its checks for blobs the repository already holds) a repository the principal may
     * push to is not restricted. Nor are the Hub's views of repositories. Empty when nothing restricts the pull.
     */
    public Optional<String> pullRefusal(Principal principal, RepositoryName name, boolean forPush) {
        if (principal == null) {
            return Optional.empty();
        }
        Optional<String> refusal = imageRestrictions.pullRefusal(principal.account(), name);
        return refusal.isPresent() && forPush && actions(principal, name).contains(Action.PUSH) ? Optional.empty()
                : refusal;
    }

    /** The account that owns a namespace, if there is one. */
    public Optional<Account> namespace(String namespace) {
        return accounts.find(namespace);
    }

    /**
     * Whether {@code principal} may administer {@code account}: read its audit log, manage its members and robots.
     * A user administers themselves; an organization is administered by its owners; a robot administers nothing.
     */
    public boolean administers(Principal principal, Account account) {
        if (principal.isRobot()) {
            return false;
        }
        if (!account.isOrg()) {
            return account.id() == principal.account().id();
        }
        return accounts.roleOf(account.id(), principal.account().id()).filter(r -> r == Role.OWNER).isPresent();
    }

    /** Whether {@code principal} is a member of the organization {@code org}, in any role; a robot is none. */
    public boolean memberOf(Principal principal, Account org) {
        return !principal.isRobot() && org.isOrg() && accounts.roleOf(org.id(), principal.account().id()).isPresent();
    }

    /**
     * Whether {@code principal} may manage credentials (create, change, rotate, revoke): a password sign-in or a
     * personal token with {@code api}; with {@code readOnly}, also one with {@code read_api}. Tokens with
     * repository scopes only, and robots, may not.
     */
    public boolean managesCredentials(Principal principal, boolean readOnly) {
        Credential credential = principal.credential();
        if (credential == null) {
            return true;
        }
        return !credential.isRobot()
                && (credential.has(Scope.API) || (readOnly && credential.has(Scope.READ_API)));
    }

    /**
     * The account whose private repositories the caller may list, or empty when it may list public ones only
     * (anonymous callers, {@code repo:public_read} and management tokens, robots without {@code list} on their
     * namespace).
     */
    public Optional<Account> catalogViewer(Principal principal) {
        if (principal == null) {
            return Optional.empty();
        }
        return readsPrivate(principal.credential(), principal.account().name()) ? Optional.of(principal.account())
                : Optional.empty();
    }

    /**
     * Whether {@code principal} (null: anonymous) sees the private repositories of {@code namespace} in its listings:
     * the account may list there, and the credential reads private repositories (a personal token from
     * {@code repo:read} up; a robot only with {@code list} on that namespace). Others see the public ones only.
     */
    public boolean listsPrivate(Principal principal, Account namespace) {
        if (principal == null
                || !granted(principal.account(), namespace.name(), Optional.empty()).contains(Action.LIST)) {
            return false;
        }
        return readsPrivate(principal.credential(), namespace.name());
    }

    /**
     * Whether the credential (null: a password) lets listings show private repositories of {@code namespace}: a
     * personal token from {@code repo:read} up, a robot only with {@code list} on that namespace.
     */
    private static boolean readsPrivate(Credential credential, String namespace) {
        if (credential == null) {
            return true;
        }
        if (credential.isRobot()) {
            return credential.resources().stream().anyMatch(r -> r.kind() == Resource.Kind.NAMESPACE
                    && r.path().equals(namespace) && r.actions().contains(Action.LIST));
        }
        Scope scope = credential.repositoryScope();
        return scope != null && scope.implies(Scope.REPO_READ);
    }

    /**
     * The union of the account's grants on a repository of a namespace: ownership of its own; in an org's, its role
     * and its teams' permissions on the repository (which exists, else no team has one).
     */
    private EnumSet<Action> granted(Account account, String namespace, Optional<Repository> repository) {
        Optional<Account> owner = accounts.find(namespace);
        if (owner.isEmpty()) {
            return EnumSet.noneOf(Action.class);
        }
        if (owner.get().id() == account.id()) {
            return EnumSet.allOf(Action.class);
        }
        if (!owner.get().isOrg() || account.isOrg()) {
            return EnumSet.noneOf(Action.class);
        }
        Optional<Role> role = accounts.roleOf(owner.get().id(), account.id());
        if (role.isEmpty()) {
            return EnumSet.noneOf(Action.class);
        }
        EnumSet<Action> granted = ofRole(role.get());
        if (repository.isPresent() && !granted.containsAll(Action.REPOSITORY)) {
            teams.permissionOf(owner.get().id(), account.id(), repository.get().id())
                    .ifPresent(permission -> granted.addAll(ofTeam(permission)));
        }
        return granted;
    }

    private static EnumSet<Action> ofTeam(TeamPermission permission) {
        return switch (permission) {
            case READ -> EnumSet.of(Action.PULL);
            case WRITE -> EnumSet.of(Action.PULL, Action.PUSH);
            case ADMIN -> EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE);
        };
    }

    private static EnumSet<Action> ofRole(Role role) {
        return switch (role) {
            case OWNER -> EnumSet.allOf(Action.class);
            case EDITOR -> EnumSet.of(Action.PULL, Action.PUSH, Action.LIST);
            case MEMBER -> EnumSet.of(Action.PULL, Action.LIST);
        };
    }

    /** What the credential allows at most on {@code name}: everything for a password. */
    private static Set<Action> credentialLimit(Credential credential, RepositoryName name, boolean isPublic) {
        if (credential == null) {
            return Action.ALL;
        }
        if (credential.isRobot()) {
            EnumSet<Action> allowed = EnumSet.noneOf(Action.class);
            for (Resource resource : credential.resources()) {
                if (resource.covers(name, isPublic)) {
                    allowed.addAll(resource.repositoryActions());
                }
            }
            return allowed;
        }
        Scope scope = credential.repositoryScope();
        if (scope == null) {
            return EnumSet.noneOf(Action.class);
        }
        return switch (scope) {
            case REPO_PUBLIC_READ -> isPublic ? EnumSet.of(Action.PULL) : EnumSet.noneOf(Action.class);
            case REPO_READ -> EnumSet.of(Action.PULL);
            case REPO_WRITE -> EnumSet.of(Action.PULL, Action.PUSH);
            default -> Action.REPOSITORY;
        };
    }
}
