package dev.wharf.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.accounts.Names;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.DomainException;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.TokenSecret;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns credentials into a {@link Principal}: a username with a password, a user with a personal token, or an
 * organization with a robot credential (sign-in), or a session JWT (every later request). Every signed credential
 * names its account by id and uuid, never by name, and is re-checked on each use: it dies with the account, one
 * derived from a credential dies with that credential, and a robot works only from its namespace's allowed
 * networks.
 */
public final class Authenticator {
    /** The lifetime of {@code POST /v2/auth/token} access tokens, as on Docker Hub. */
    public static final Duration ACCESS_TTL = Duration.ofMinutes(10);
    /** The audience of Hub sessions and access tokens (registry tokens name the registry's service instead). */
    public static final String HUB_AUDIENCE = "wharf";
    private static final String BAD_CREDENTIALS = "Incorrect authentication credentials";
    /** A robot signs in as {@code <org>} or {@code <org>+<credential name>}: never longer than this. */
    private static final int MAX_IDENTIFIER = 30 + 1 + Credentials.MAX_NAME;

    private final Accounts accounts;
    private final Credentials credentials;
    private final NamespaceSettingsStore namespaces;
    private final AuditLog audit;
    private final Jwts jwts;
    private final LoginThrottle throttle;
    private final Duration sessionTtl;

    public Authenticator(Accounts accounts, Credentials credentials, NamespaceSettingsStore namespaces,
                         AuditLog audit, Jwts jwts, LoginThrottle throttle, Duration sessionTtl) {
        this.accounts = accounts;
        this.credentials = credentials;
        this.namespaces = namespaces;
        this.audit = audit;
        this.jwts = jwts;
        this.throttle = throttle;
        this.sessionTtl = sessionTtl;
    }

    /**
     * Signs in with an identifier and a secret: a username with a password or personal token, or an organization
     * (or {@code <org>+<robot name>}) with a robot secret. A password check is reserved with the throttle before it
     * runs (so parallel guesses get at most the limit); a token is checked at once, unless its identifier and
     * address are locked out. A failure is audited on the account it targeted.
     *
     * @throws DomainException.RateLimited     after too many failures, or too many checks at once
     * @throws DomainException.Unauthenticated when the credentials are wrong
     */
    public Principal signIn(String identifier, String secret, String address) {
        String name = identifier == null ? "" : identifier.trim();
        if (secret == null || name.isEmpty() || name.length() > MAX_IDENTIFIER) {
            throw new DomainException.Unauthenticated(BAD_CREDENTIALS);
        }
        if (TokenSecret.hasKnownPrefix(secret)) {
            // A token cannot be guessed and costs a hash lookup, not Argon2: clients may send it in parallel. It
            // still cannot get past a lockout, and its failures count towards one.
            throttle.checkNotLockedOut(name, address);
            Optional<Principal> principal = credentials.authenticate(secret)
                    .flatMap(c -> admitted(c, name, address));
            if (principal.isEmpty()) {
                throttle.recordFailure(name, address);
                throw failed(name, address);
            }
            return principal.get();
        }
        if (Names.problem(name) != null) {
            throw new DomainException.Unauthenticated(BAD_CREDENTIALS);
        }
        try (LoginThrottle.Attempt attempt = throttle.begin(name, address)) {
            Optional<Principal> principal = accounts.verifyPassword(name, secret).map(Principal::password);
            if (principal.isEmpty()) {
                attempt.failed();
                throw failed(name, address);
            }
            attempt.succeeded();
            return principal.get();
        }
    }

    /** Audits a failed sign-in on the account it targeted; the failure to throw. */
    private DomainException failed(String name, String address) {
        int plus = name.indexOf('+');
        accounts.find(plus < 0 ? name : name.substring(0, plus)).ifPresent(a -> audit.record(a.logOwner(),
                AuditAction.USER_LOGIN_FAILED, a.name(), a.asActor(), Map.of("ip", address)));
        return new DomainException.Unauthenticated(BAD_CREDENTIALS);
    }

    /**
     * The principal of a working credential presented with {@code identifier}: its owner's name (or, for a robot,
     * {@code <org>+<name>}), from an address its namespace allows. Each use is recorded.
     */
    private Optional<Principal> admitted(Credential credential, String identifier, String address) {
        Optional<Account> owner = accounts.findById(credential.ownerId());
        if (owner.isEmpty() || !(identifier.equals(owner.get().name())
                || (credential.isRobot() && identifier.equals(owner.get().name() + "+" + credential.name())))) {
            return Optional.empty();
        }
        return within(owner.get(), credential, address);
    }

    /** The principal, if the credential still belongs to this account and (for a robot) the address is allowed. */
    private Optional<Principal> within(Account owner, Credential credential, String address) {
        if (credential.ownerId() != owner.id() || credential.isRobot() != owner.isOrg()) {
            return Optional.empty();
        }
        if (credential.isRobot() && !namespaces.get(owner.id()).allows(address)) {
            return Optional.empty();
        }
        credentials.touch(credential, address);
        return Optional.of(new Principal(owner, credential));
    }

    /** A session JWT for {@code /v2/users/login}, valid for the configured session lifetime. */
    public String issueSession(Principal principal) {
        return issue(principal, Jwts.Kind.SESSION, sessionTtl);
    }

    /** A 10-minute access JWT for {@code /v2/auth/token}. */
    public String issueAccess(Principal principal) {
        return issue(principal, Jwts.Kind.ACCESS, ACCESS_TTL);
    }

    private String issue(Principal principal, Jwts.Kind kind, Duration ttl) {
        return jwts.sign(kind, principal.account().uuid().toString(), HUB_AUDIENCE, ttl,
                b -> TokenClaims.claims(b, principal));
    }

    /**
     * The principal behind a Hub session or access JWT, if the token is valid and everything it was derived from
     * still authenticates from {@code address}.
     */
    public Optional<Principal> fromJwt(String jwt, String address) {
        return jwts.verify(jwt, HUB_AUDIENCE, Jwts.Kind.SESSION, Jwts.Kind.ACCESS)
                .flatMap(claims -> resume(claims, address));
    }

    /** The principal a verified token's claims name, if it still authenticates (see {@link #resume(long, UUID, UUID, String)}). */
    public Optional<Principal> resume(JWTClaimsSet claims, String address) {
        return TokenClaims.identity(claims)
                .flatMap(id -> resume(id.accountId(), id.accountUuid(), id.credential(), address));
    }

    /**
     * The principal a signed credential names, if everything it was derived from still authenticates: the account
     * with this id exists (and, when {@code accountUuid} is given, still has that uuid) and, for a credential-derived
     * one, the credential is active, unexpired, unrevoked, still the account's, and (for a robot) used from an
     * allowed address. Each use of the credential is recorded.
     */
    public Optional<Principal> resume(long accountId, UUID accountUuid, UUID credential, String address) {
        Optional<Account> account = accounts.findById(accountId)
                .filter(a -> accountUuid == null || a.uuid().equals(accountUuid));
        if (account.isEmpty() || credential == null) {
            return account.filter(a -> !a.isOrg()).map(Principal::password);
        }
        return credentials.usable(credential).flatMap(c -> within(account.get(), c, address));
    }

    /**
     * The principal named by an {@code Authorization} header using the {@code Bearer} or legacy {@code JWT}
     * scheme, with a session or access JWT.
     */
    public Optional<Principal> fromAuthorization(String header, String address) {
        if (header == null) {
            return Optional.empty();
        }
        int space = header.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        String scheme = header.substring(0, space);
        if (!scheme.equalsIgnoreCase("Bearer") && !scheme.equalsIgnoreCase("JWT")) {
            return Optional.empty();
        }
        return fromJwt(header.substring(space + 1).trim(), address);
    }

    /**
     * The principal of a personal token or robot secret presented on its own (GitLab's {@code PRIVATE-TOKEN}, a
     * bearer PAT), if it works now from {@code address}. A use of a revoked one is not a sign-in failure here: the
     * caller may need to know it for reuse detection ({@link Credentials#identify}).
     */
    public Optional<Principal> fromSecret(String secret, String address) {
        return credentials.authenticate(secret).flatMap(c -> accounts.findById(c.ownerId())
                .flatMap(owner -> within(owner, c, address)));
    }
}
