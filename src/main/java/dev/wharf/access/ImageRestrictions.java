package dev.wharf.access;

import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Names;
import dev.wharf.accounts.NamespaceSettings.RestrictedImages;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.repositories.RepositoryName;
import java.util.Optional;

/**
 * Organizations' restricted-images policies (Docker Hub's Image Access Management): when an organization turns it
 * on, its members, in any role and however they sign in, may pull only from the organization's own namespace, from
 * the official images ({@code library/*}) if it allows those, and from namespaces a site admin marked as verified
 * publishers if it allows those. Their own personal namespace is not exempt: the policy says where images may come
 * from, whoever published them. Robots act as their organization, which is no member of anything, and anonymous
 * callers are nobody's members: neither is restricted. Only pulls are restricted: a push's read-back of the
 * repository it pushes to is not a pull ({@link AccessPolicy#pullRefusal}).
 *
 * <p>A user in several restricting organizations may pull only what <em>every one</em> of their policies allows.
 * "Any one allows" would make each policy worthless: any user may create an organization, turn its policy on and
 * push whatever they like into it, and that organization's policy allows its own images. Each owner's promise, "our
 * members pull only from here", holds only if no other membership can widen it, so memberships narrow and never
 * widen.
 *
 * <p>Asked on every pull, so it reads only cached data: the user's organizations ({@link Accounts#orgIdsOf}) and
 * each organization's settings ({@link NamespaceSettingsStore#get}), both one-second caches that this node
 * invalidates on change. A user in no organization costs one cache lookup.
 */
public final class ImageRestrictions {
    private final Accounts accounts;
    private final NamespaceSettingsStore settings;

    public ImageRestrictions(Accounts accounts, NamespaceSettingsStore settings) {
        this.accounts = accounts;
        this.settings = settings;
    }

    /**
     * Why {@code account} may not pull {@code name}, naming the first organization whose policy forbids it; empty
     * when no policy does.
     */
    public Optional<String> pullRefusal(Account account, RepositoryName name) {
        if (account.isOrg()) {
            return Optional.empty();
        }
        for (long orgId : accounts.orgIdsOf(account.id())) {
            RestrictedImages policy = settings.get(orgId).restrictedImages();
            if (!policy.enabled()) {
                continue;
            }
            Optional<Account> org = accounts.findById(orgId);
            if (org.isPresent() && !allows(org.get(), policy, name.namespace())) {
                return Optional.of("pull of " + name + " refused: organization " + org.get().name()
                        + " restricts images to " + allowedSources(policy));
            }
        }
        return Optional.empty();
    }

    private boolean allows(Account org, RestrictedImages policy, String namespace) {
        return namespace.equals(org.name())
                || (policy.allowOfficialImages() && namespace.equals(Names.OFFICIAL_NAMESPACE))
                || (policy.allowVerifiedPublishers() && isVerifiedPublisher(namespace));
    }

    /** Whether a site admin has marked the organization of this name as a verified publisher. */
    private boolean isVerifiedPublisher(String namespace) {
        return accounts.find(namespace).filter(Account::isOrg)
                .map(a -> settings.get(a.id()).verifiedPublisher()).orElse(false);
    }

    private static String allowedSources(RestrictedImages policy) {
        if (policy.allowOfficialImages() && policy.allowVerifiedPublishers()) {
            return "its own, official and verified-publisher repositories";
        } else if (policy.allowOfficialImages()) {
            return "its own and official repositories";
        } else if (policy.allowVerifiedPublishers()) {
            return "its own and verified-publisher repositories";
        }
        return "its own repositories";
    }
}
