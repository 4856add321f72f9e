package dev.wharf.access;

import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Role;
import dev.wharf.auth.Principal;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.tokens.Scope;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The one answer to "may this principal do this action on this repository", asked by every dialect. What a caller may
 * do is what the account's grants give it, limited by what its credential allows:
 * <table>
 *   <caption>grants of the account</caption>
 *   <tr><td>its own namespace</td><td>pull, push, delete</td></tr>
 *   <tr><td>org owner / editor / member</td><td>pull, push, delete / pull, push / pull</td></tr>
 *   <tr><td>anyone, even anonymous, on a public repository</td><td>pull</td></tr>
 * </table>
 * <table>
 *   <caption>limits of the credential</caption>
 *   <tr><td>password or session from one</td><td>none: whatever the account may</td></tr>
 *   <tr><td>repo:public_read / read</td><td>pull public repositories / pull</td></tr>
 *   <tr><td>repo:write / admin</td><td>pull, push / pull, push, delete</td></tr>
 * </table>
 * A repository that does not exist yet counts as private, so its existence never leaks. Grants are read through the
 * account store's one-second caches, so a membership change takes effect on every node within a second.
 */
public final class AccessPolicy {
    private final Accounts accounts;
    private final Repositories repositories;

    public AccessPolicy(Accounts accounts, Repositories repositories) {
        this.accounts = accounts;
        this.repositories = repositories;
    }

    /** What {@code principal} (null: anonymous) may do on {@code name}. */
    public Set<Action> actions(Principal principal, RepositoryName name) {
        boolean isPublic = repositories.find(name).map(r -> !r.isPrivate()).orElse(false);
        EnumSet<Action> granted = principal == null ? EnumSet.noneOf(Action.class)
                : granted(principal.account(), name.namespace());
        if (isPublic) {
            granted.add(Action.PULL);
        }
        if (principal != null) {
            granted.retainAll(credentialLimit(principal, isPublic));
        }
        return granted;
    }

    /** Whether {@code principal} (null: anonymous) may do every one of {@code needed} on {@code name}. */
    public boolean allows(Principal principal, RepositoryName name, Set<Action> needed) {
        return actions(principal, name).containsAll(needed);
    }

    /** The account that owns a namespace, if there is one. */
    public Optional<Account> namespace(String namespace) {
        return accounts.find(namespace);
    }

    /**
     * Whether {@code principal} may administer {@code account}: read its audit log, manage its members. A user
     * administers themselves; an organization is administered by its owners.
     */
    public boolean administers(Principal principal, Account account) {
        if (!account.isOrg()) {
            return account.id() == principal.account().id();
        }
        return accounts.roleOf(account.id(), principal.account().id()).filter(r -> r == Role.OWNER).isPresent();
    }

    /**
     * The account whose private repositories the caller may list, or empty when it may list public ones only
     * (anonymous callers and {@code repo:public_read} tokens).
     */
    public Optional<Account> catalogViewer(Principal principal) {
        if (principal == null || (principal.viaToken() && !principal.token().scope().implies(Scope.READ))) {
            return Optional.empty();
        }
        return Optional.of(principal.account());
    }

    /** The union of the account's grants on a namespace: ownership of its own, its role in an org's. */
    private EnumSet<Action> granted(Account account, String namespace) {
        Optional<Account> owner = accounts.find(namespace);
        if (owner.isEmpty()) {
            return EnumSet.noneOf(Action.class);
        }
        if (owner.get().id() == account.id()) {
            return EnumSet.allOf(Action.class);
        }
        if (!owner.get().isOrg()) {
            return EnumSet.noneOf(Action.class);
        }
        return accounts.roleOf(owner.get().id(), account.id()).map(AccessPolicy::ofRole)
                .orElseGet(() -> EnumSet.noneOf(Action.class));
    }

    private static EnumSet<Action> ofRole(Role role) {
        return switch (role) {
            case OWNER -> EnumSet.allOf(Action.class);
            case EDITOR -> EnumSet.of(Action.PULL, Action.PUSH);
            case MEMBER -> EnumSet.of(Action.PULL);
        };
    }

    /** What the credential allows at most: everything for a password, else the token's scope. */
    private static Set<Action> credentialLimit(Principal principal, boolean isPublic) {
        if (!principal.viaToken()) {
            return Action.ALL;
        }
        return switch (principal.token().scope()) {
            case PUBLIC_READ -> isPublic ? EnumSet.of(Action.PULL) : EnumSet.noneOf(Action.class);
            case READ -> EnumSet.of(Action.PULL);
            case WRITE -> EnumSet.of(Action.PULL, Action.PUSH);
            case ADMIN -> Action.ALL;
        };
    }
}
