package dev.wharf.web;

import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Members;
import dev.wharf.core.DomainException;
import dev.wharf.http.Routed;
import io.javalin.http.Context;

/**
 * The organization a page's path names, as the person signed in may see it: its members see it, its owners change
 * it, and to anyone else it does not exist; asked of the one access policy, as the APIs ask it.
 */
final class OrgAccess {
    private final Accounts accounts;
    private final Members members;
    private final AccessPolicy policy;

    OrgAccess(Accounts accounts, Members members, AccessPolicy policy) {
        this.accounts = accounts;
        this.members = members;
        this.policy = policy;
    }

    /** The organization in the path, for one of its members. */
    Account memberOrg(Context ctx) {
        Account org = policy.namespace(Routed.parameter(ctx, "org")).filter(Account::isOrg)
                .orElseThrow(() -> new DomainException.NotFound("There is no such organization."));
        if (!policy.memberOf(WebAuth.signedIn(ctx).principal(), org)) {
            throw new DomainException.NotFound("There is no such organization.");
        }
        return org;
    }

    /** The organization in the path, for one of its owners (a member is told no, anyone else not found). */
    Account ownedOrg(Context ctx) {
        Account org = memberOrg(ctx);
        if (!owns(ctx, org)) {
            throw new DomainException.Forbidden("Only the organization's owners may change it.");
        }
        return org;
    }

    boolean owns(Context ctx, Account org) {
        return policy.administers(WebAuth.signedIn(ctx).principal(), org);
    }

    /** The organization's member of this name. */
    Account member(Account org, String username) {
        Account user = accounts.find(username == null ? "" : username).filter(a -> !a.isOrg())
                .orElseThrow(() -> new DomainException.NotFound("There is no such member."));
        if (members.find(org, user).isEmpty()) {
            throw new DomainException.NotFound("There is no such member.");
        }
        return user;
    }
}
