package dev.wharf.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Names;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.DomainException;
import dev.wharf.tokens.AccessToken;
import dev.wharf.tokens.AccessTokens;
import dev.wharf.tokens.TokenSecret;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns credentials into a {@link Principal}: a username with a password or a personal access token (sign-in), or a
 * session JWT (every later request). Every signed credential names its account by id and uuid, never by name, and
 * is re-checked on each use: it dies with the account, and one derived from a token dies with the token.
 */
public final class Authenticator {
    /** The lifetime of {@code POST /v2/auth/token} access tokens, as on Docker Hub. */
    public static final Duration ACCESS_TTL = Duration.ofMinutes(10);
    /** The audience of Hub sessions and access tokens (registry tokens name the registry's service instead). */
    public static final String HUB_AUDIENCE = "wharf";
    private static final String BAD_CREDENTIALS = "Incorrect authentication credentials";

    private final Accounts accounts;
    private final AccessTokens tokens;
    private final AuditLog audit;
    private final Jwts jwts;
    private final LoginThrottle throttle;
    private final Duration sessionTtl;

    public Authenticator(Accounts accounts, AccessTokens tokens, AuditLog audit, Jwts jwts, LoginThrottle throttle,
                         Duration sessionTtl) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.audit = audit;
        this.jwts = jwts;
        this.throttle = throttle;
        this.sessionTtl = sessionTtl;
    }

    /**
     * Signs in with a username and a password or personal access token. A name that cannot exist is refused at
     * once. A password check is reserved with the throttle before it runs (so parallel guesses get at most the
     * limit); a token is checked at once, unless its name and address are locked out. A failure is audited on the
     * account it targeted.
     *
     * @throws DomainException.RateLimited     after too many failures, or too many checks at once
     * @throws DomainException.Unauthenticated when the credentials are wrong
     */
    public Principal signIn(String username, String secret, String address) {
        String name = username == null ? "" : username.trim();
        if (Names.problem(name) != null || secret == null) {
            throw new DomainException.Unauthenticated(BAD_CREDENTIALS);
        }
        if (secret.startsWith(TokenSecret.PAT_PREFIX)) {
            // A token cannot be guessed and costs a hash lookup, not Argon2: clients may send it in parallel. It
            // still cannot get past a lockout, and its failures count towards one.
            throttle.checkNotLockedOut(name, address);
            Optional<Principal> principal = patCredentials(name, secret);
            if (principal.isEmpty()) {
                throttle.recordFailure(name, address);
                throw failed(name, address);
            }
            return principal.get();
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
        accounts.find(name).ifPresent(a -> audit.record(a.logOwner(), AuditAction.USER_LOGIN_FAILED, a.name(),
                a.asActor(), Map.of("ip", address)));
        return new DomainException.Unauthenticated(BAD_CREDENTIALS);
    }

    private Optional<Principal> patCredentials(String username, String secret) {
        Optional<AccessToken> token = tokens.authenticate(secret);
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Optional<Account> owner = accounts.findById(token.get().ownerId()).filter(a -> a.name().equals(username));
        owner.ifPresent(a -> tokens.touch(token.get()));
        return owner.map(a -> new Principal(a, token.get()));
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
     * still authenticates.
     */
    public Optional<Principal> fromJwt(String jwt) {
        return jwts.verify(jwt, HUB_AUDIENCE, Jwts.Kind.SESSION, Jwts.Kind.ACCESS).flatMap(this::resume);
    }

    /** The principal a verified token's claims name, if it still authenticates (see {@link #resume(long, UUID, UUID)}). */
    public Optional<Principal> resume(JWTClaimsSet claims) {
        return TokenClaims.identity(claims).flatMap(id -> resume(id.accountId(), id.accountUuid(), id.token()));
    }

    /**
     * The principal a signed credential names, if everything it was derived from still authenticates: the account
     * with this id exists (and, when {@code accountUuid} is given, still has that uuid) and, for a token-derived
     * credential, the token is active, unexpired and still the account's. Each use of the token is recorded.
     */
    public Optional<Principal> resume(long accountId, UUID accountUuid, UUID token) {
        Optional<Account> account = accounts.findById(accountId)
                .filter(a -> accountUuid == null || a.uuid().equals(accountUuid));
        if (account.isEmpty() || token == null) {
            return account.map(Principal::password);
        }
        Optional<AccessToken> usable = tokens.usable(token).filter(t -> t.ownerId() == accountId);
        usable.ifPresent(tokens::touch);
        return usable.map(t -> new Principal(account.get(), t));
    }

    /** The principal named by an {@code Authorization} header using the {@code Bearer} or legacy {@code JWT} scheme. */
    public Optional<Principal> fromAuthorization(String header) {
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
        return fromJwt(header.substring(space + 1).trim());
    }
}
