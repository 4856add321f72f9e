package dev.wharf.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Role;
import dev.wharf.auth.Principal;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.RepositoryName;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;

/**
 * What a caller may do on a repository: the intersection of what the account may do there and what the credential
 * allows.
 * <table>
 *   <caption>account</caption>
 *   <tr><td>own namespace</td><td>pull, push, delete</td></tr>
 *   <tr><td>org owner / editor / member</td><td>pull, push, delete / pull, push / pull</td></tr>
 *   <tr><td>anyone, even anonymous, on a public repository</td><td>pull</td></tr>
 * </table>
 * <table>
 *   <caption>credential</caption>
 *   <tr><td>password</td><td>whatever the account may</td></tr>
 *   <tr><td>repo:public_read / read</td><td>pull public / pull</td></tr>
 *   <tr><td>repo:write / admin</td><td>pull, push / pull, push, delete</td></tr>
 * </table>
 * A repository that does not exist yet counts as private, so its existence never leaks.
 */
final class AccessControl {
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);

    private final Accounts accounts;
    private final Repositories repositories;
    private final Cache<String, Optional<Account>> namespaces = Caffeine.newBuilder()
            .expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();
    private final Cache<String, Optional<Role>> roles = Caffeine.newBuilder()
            .expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();

    AccessControl(Accounts accounts, Repositories repositories) {
        this.accounts = accounts;
        this.repositories = repositories;
    }

    /** The namespace's account, if there is one (through a one-second cache). */
    Optional<Account> namespace(RepositoryName name) {
        return namespaces.get(name.namespace(), accounts::find);
    }

    /** What {@code principal} (null: anonymous) may do on {@code name}. */
    EnumSet<Action> allowed(Principal principal, RepositoryName name) {
        boolean isPublic = repositories.find(name).map(r -> !r.isPrivate()).orElse(false);
        EnumSet<Action> account = principal == null ? EnumSet.noneOf(Action.class)
                : accountMay(principal.account(), name);
        if (isPublic) {
            account.add(Action.PULL);
        }
        if (principal == null || !principal.viaToken()) {
            return account;
        }
        EnumSet<Action> credential = switch (principal.token().scope()) {
            case PUBLIC_READ -> isPublic ? EnumSet.of(Action.PULL) : EnumSet.noneOf(Action.class);
            case READ -> EnumSet.of(Action.PULL);
            case WRITE -> EnumSet.of(Action.PULL, Action.PUSH);
            case ADMIN -> EnumSet.allOf(Action.class);
        };
        account.retainAll(credential);
        return account;
    }

    private EnumSet<Action> accountMay(Account account, RepositoryName name) {
        Optional<Account> ns = namespace(name);
        if (ns.isEmpty()) {
            return EnumSet.noneOf(Action.class);
        }
        if (ns.get().id() == account.id()) {
            return EnumSet.allOf(Action.class);
        }
        if (!ns.get().isOrg()) {
            return EnumSet.noneOf(Action.class);
        }
        Optional<Role> role = roles.get(ns.get().id() + ":" + account.id(),
                k -> accounts.roleOf(ns.get().id(), account.id()));
        if (role.isEmpty()) {
            return EnumSet.noneOf(Action.class);
        }
        return switch (role.get()) {
            case OWNER -> EnumSet.allOf(Action.class);
            case EDITOR -> EnumSet.of(Action.PULL, Action.PUSH);
            case MEMBER -> EnumSet.of(Action.PULL);
        };
    }

    /**
     * The account whose private repositories the caller may list in the catalog, or null for public ones only
     * (anonymous callers and {@code repo:public_read} tokens).
     */
    Long catalogViewer(Principal principal) {
        if (principal == null || principal.viaToken() && !principal.allows(dev.wharf.tokens.Scope.READ)) {
            return null;
        }
        return principal.account().id();
    }
}
