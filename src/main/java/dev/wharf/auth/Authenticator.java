package dev.wharf.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
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
 * session JWT (every later request). Sessions derived from a token are re-checked against that token on each use.
 */
public final class Authenticator {
    public static final String SESSION = "session";
    public static final String ACCESS = "access";
    /** The lifetime of {@code POST /v2/auth/token} access tokens, as on Docker Hub. */
    public static final Duration ACCESS_TTL = Duration.ofMinutes(10);
    private static final String BAD_CREDENTIALS = "Incorrect authentication credentials";

    private final Accounts accounts;
    private final AccessTokens tokens;
    private final AuditLog audit;
    private final Jwts jwts;
    private final LoginThrottle throttle;
    private final Duration sessionTtl;
    /** Accounts behind live sessions; short-lived so that a deleted user's sessions stop within a second. */
    private final Cache<Long, Optional<Account>> accountsById = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(1)).maximumSize(100_000).build();

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
     * Signs in with a username and a password or personal access token. Failures are throttled per username and
     * address, and audited on the account they targeted.
     *
     * @throws DomainException.RateLimited     after too many failures
     * @throws DomainException.Unauthenticated when the credentials are wrong
     */
    public Principal signIn(String username, String secret, String address) {
        String name = username == null ? "" : username.trim();
        throttle.check(name, address);
        Optional<Principal> principal = secret == null ? Optional.empty() : credentials(name, secret);
        if (principal.isEmpty()) {
            throttle.recordFailure(name, address);
            accounts.find(name).ifPresent(a -> audit.record(a.name(), AuditAction.USER_LOGIN_FAILED, a.name(),
                    a.name(), null, Map.of("ip", address)));
            throw new DomainException.Unauthenticated(BAD_CREDENTIALS);
        }
        throttle.recordSuccess(name, address);
        return principal.get();
    }

    private Optional<Principal> credentials(String username, String secret) {
        if (secret.startsWith(TokenSecret.PAT_PREFIX)) {
            Optional<AccessToken> token = tokens.authenticate(secret);
            if (token.isEmpty()) {
                return Optional.empty();
            }
            Optional<Account> owner = account(token.get().ownerId()).filter(a -> a.name().equals(username));
            owner.ifPresent(a -> tokens.touch(token.get()));
            return owner.map(a -> new Principal(a, token.get()));
        }
        return accounts.verifyPassword(username, secret).map(Principal::password);
    }

    /** A session JWT for {@code /v2/users/login}, valid for the configured session lifetime. */
    public String issueSession(Principal principal) {
        return issue(principal, SESSION, sessionTtl);
    }

    /** A 10-minute access JWT for {@code /v2/auth/token}. */
    public String issueAccess(Principal principal) {
        return issue(principal, ACCESS, ACCESS_TTL);
    }

    private String issue(Principal principal, String type, Duration ttl) {
        return jwts.sign(type, principal.account().uuid().toString(), ttl, b -> {
            b.claim("uid", principal.account().id());
            b.claim("name", principal.username());
            if (principal.viaToken()) {
                b.claim("pat", principal.token().uuid().toString());
            }
        });
    }

    /**
     * The principal behind a session or access JWT, if the token is valid and everything it was derived from still
     * authenticates: the account exists and, for a token-derived session, the token is active and unexpired.
     */
    public Optional<Principal> fromJwt(String jwt) {
        Optional<JWTClaimsSet> claims = jwts.verify(jwt, SESSION, ACCESS);
        if (claims.isEmpty()) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet c = claims.get();
            Long uid = c.getLongClaim("uid");
            String pat = c.getStringClaim("pat");
            if (uid == null) {
                return Optional.empty();
            }
            return resume(uid, c.getSubject(), pat == null ? null : UUID.fromString(pat));
        } catch (java.text.ParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The principal a signed credential names, if everything it was derived from still authenticates: the account
     * exists (and, when {@code subject} is given, has that uuid) and, for a token-derived credential, the token is
     * active, unexpired and still the account's. Each successful use of the token is recorded.
     */
    public Optional<Principal> resume(long accountId, String subject, UUID pat) {
        Optional<Account> account = account(accountId)
                .filter(a -> subject == null || a.uuid().toString().equals(subject));
        if (account.isEmpty() || pat == null) {
            return account.map(Principal::password);
        }
        Optional<AccessToken> token = tokens.usable(pat).filter(t -> t.ownerId() == accountId);
        token.ifPresent(tokens::touch);
        return token.map(t -> new Principal(account.get(), t));
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

    /** Looks up an account through a one-second cache. */
    public Optional<Account> account(long id) {
        return accountsById.get(id, accounts::findById);
    }
}
