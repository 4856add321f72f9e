package dev.wharf.ionos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Names;
import dev.wharf.accounts.NamespaceSettings;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.Cidr;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.CredentialQuery;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Resource;
import dev.wharf.http.Json;
import dev.wharf.http.QueryTimes;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Repositories;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The IONOS Container Registry dialect ({@code /containerregistries}): a registry is an organization's namespace,
 * its tokens are the organization's robot credentials. Only the organization's owners see and manage it.
 */
public final class IonosApi {
    /** The one location: this server. */
    static final String LOCATION = "local";
    /** The spec's registry name rule, which Wharf's account names must also meet ({@link Names}). */
    private static final Pattern REGISTRY_NAME = Pattern.compile("[a-z][-a-z0-9]{1,61}[a-z0-9]");
    private static final Pattern TOKEN_NAME = Pattern.compile("[A-Za-z][-A-Za-z0-9]{0,61}[A-Za-z0-9]");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}");
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("HH:mm:ss'+00:00'");
    /** IONOS refuses expiry dates less than an hour ahead. */
    private static final Duration MIN_LIFETIME = Duration.ofHours(1);
    private static final int MAX_PAGE = 1000;
    private static final int DEFAULT_PAGE = 100;
    private static final String ENABLED = "enabled";
    private static final String DISABLED = "disabled";

    private final IonosAuth auth;
    private final Accounts accounts;
    private final Credentials credentials;
    private final NamespaceSettingsStore namespaces;
    private final Repositories repositories;
    private final AccessPolicy policy;
    private final Requests requests;
    private final Clock clock;

    public IonosApi(Authenticator authenticator, Accounts accounts, Credentials credentials,
                    NamespaceSettingsStore namespaces, Repositories repositories, AccessPolicy policy,
                    Requests requests, Clock clock) {
        this.auth = new IonosAuth(authenticator, policy, requests);
        this.accounts = accounts;
        this.credentials = credentials;
        this.namespaces = namespaces;
        this.repositories = repositories;
        this.policy = policy;
        this.requests = requests;
        this.clock = clock;
    }

    IonosAuth guard() {
        return auth;
    }

    private record Schedule(List<String> days, String time) {
    }

    private record RegistryProperties(String name, String location, Schedule garbageCollectionSchedule,
                                      List<String> apiSubnetAllowList) {
    }

    private record RegistryInput(RegistryProperties properties) {
    }

    /** PATCH's flat body; trees, so that an explicit null (clear it) differs from an absent field (keep it). */
    private record RegistryPatch(JsonNode garbageCollectionSchedule, JsonNode apiSubnetAllowList) {
    }

    private record TokenProperties(String name, String expiryDate, List<IonosScopes.Scope> scopes, String status) {
    }

    private record TokenInput(TokenProperties properties) {
    }

    private record TokenPatch(JsonNode expiryDate, List<IonosScopes.Scope> scopes, String status) {
    }

    // ------------------------------------------------------------------------------------- locations and names

    /** {@code GET /locations}. */
    void locations(Context ctx) {
        Map<String, Object> out = collection("locations", requests.baseUrl(ctx) + IonosRoutes.PREFIX + "/locations");
        out.put("items", List.of(Map.of("id", LOCATION)));
        ctx.json(out);
    }

    /** {@code HEAD /names/{name}}: 200 when the name is taken (by any account), 404 when it is free. */
    void nameUsage(Context ctx) {
        String name = Routed.parameter(ctx, "name");
        String problem = nameProblem(name);
        if (problem != null) {
            throw new DomainException.Invalid("name", problem);
        }
        if (accounts.find(name).isEmpty()) {
            throw new DomainException.NotFound("The name is valid and available");
        }
        ctx.status(200);
    }

    // ------------------------------------------------------------------------------------------------ registries

    /** {@code GET /registries}: the caller's organizations by name, {@code pagination.token} naming the last one. */
    void listRegistries(Context ctx) {
        Principal p = IonosAuth.principal(ctx);
        int limit = intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String filter = blankToNull(ctx.queryParam("filter.name"));
        String after = decodeToken(ctx.queryParam("pagination.token"));
        List<Account> orgs = filter != null && nameProblem(filter) != null ? List.of()
                : accounts.ownedOrgs(p.account().id(), filter, after, limit + 1);
        boolean more = orgs.size() > limit;
        List<Account> page = more ? orgs.subList(0, limit) : orgs;
        String next = more ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(page.get(page.size() - 1).name().getBytes(StandardCharsets.UTF_8)) : "";
        String base = requests.baseUrl(ctx) + IonosRoutes.PREFIX + "/registries";
        Map<String, Object> out = collection("registries", base);
        out.put("items", page.stream().map(org -> registryJson(ctx, org, namespaces.get(org.id()))).toList());
        out.put("pagination", Map.of("limit", limit, "token", next));
        String query = "?limit=" + limit + (filter == null ? "" : "&filter.name=" + encode(filter));
        out.put("_links", links(base + selfQuery(ctx), more ? base + query + "&pagination.token=" + next : "", ""));
        ctx.json(out);
    }

    /** {@code POST /registries}: a new organization, owned by the caller. */
    void createRegistry(Context ctx) {
        RegistryProperties props = registryProperties(ctx);
        NamespaceSettings.Schedule schedule = schedule(props.garbageCollectionSchedule(),
                "properties.garbageCollectionSchedule");
        List<Cidr> networks = networks(props.apiSubnetAllowList(), "properties.apiSubnetAllowList");
        Account org = createOrg(ctx, props.name(), UUID.randomUUID(), schedule, networks);
        respondRegistry(ctx, 201, org);
    }

    /**
     * {@code PUT /registries/{id}}: creates the registry with the client's id, or replaces the settings of the
     * caller's registry of that id (its name and location cannot change); 201 either way, as the spec says.
     */
    void putRegistry(Context ctx) {
        Principal p = IonosAuth.principal(ctx);
        UUID id = uuid(ctx, "registry_id");
        RegistryProperties props = registryProperties(ctx);
        NamespaceSettings.Schedule schedule = schedule(props.garbageCollectionSchedule(),
                "properties.garbageCollectionSchedule");
        List<Cidr> networks = networks(props.apiSubnetAllowList(), "properties.apiSubnetAllowList");
        Optional<Account> existing = accounts.findByUuid(id);
        if (existing.isEmpty()) {
            respondRegistry(ctx, 201, createOrg(ctx, props.name(), id, schedule, networks));
            return;
        }
        Account org = existing.get();
        if (!org.isOrg() || !policy.administers(p, org)) {
            throw new DomainException.Conflict("The id is already in use");
        }
        if (!org.name().equals(props.name())) {
            throw new DomainException.Invalid("properties.name", "The name of a registry cannot be changed.");
        }
        NamespaceSettings current = namespaces.get(org.id());
        namespaces.save(new NamespaceSettings(org.id(), networks, schedule, current.vulnerabilityScanning(), null,
                null, null), p.actor());
        respondRegistry(ctx, 201, org);
    }

    /** {@code PATCH /registries/{id}}: changes the fields present; an explicit null clears one. */
    void patchRegistry(Context ctx) {
        Principal p = IonosAuth.principal(ctx);
        Account org = ownedRegistry(ctx);
        RegistryPatch body = requests.body(ctx, RegistryPatch.class);
        NamespaceSettings current = namespaces.get(org.id());
        NamespaceSettings.Schedule schedule = current.gcSchedule();
        if (body.garbageCollectionSchedule() != null) {
            schedule = schedule(tree(body.garbageCollectionSchedule(), Schedule.class, "garbageCollectionSchedule"),
                    "garbageCollectionSchedule");
        }
        List<Cidr> networks = current.allowedNetworks();
        if (body.apiSubnetAllowList() != null) {
            networks = networks(tree(body.apiSubnetAllowList(), String[].class, "apiSubnetAllowList"),
                    "apiSubnetAllowList");
        }
        namespaces.save(new NamespaceSettings(org.id(), networks, schedule, current.vulnerabilityScanning(), null,
                null, null), p.actor());
        respondRegistry(ctx, 200, org);
    }

    void getRegistry(Context ctx) {
        Account org = ownedRegistry(ctx);
        ctx.json(registryJson(ctx, org, namespaces.get(org.id())));
    }

    /** {@code DELETE /registries/{id}}: deletes the organization with its repositories and tokens. */
    void deleteRegistry(Context ctx) {
        Account org = ownedRegistry(ctx);
        accounts.deleteOrg(org, IonosAuth.principal(ctx).actor());
        ctx.status(204);
    }

    private RegistryProperties registryProperties(Context ctx) {
        RegistryInput body = requests.body(ctx, RegistryInput.class);
        if (body.properties() == null) {
            throw new DomainException.Invalid("properties", "This field is required.");
        }
        RegistryProperties props = body.properties();
        String problem = nameProblem(props.name());
        if (problem != null) {
            throw new DomainException.Invalid("properties.name", problem);
        }
        if (props.location() == null || !props.location().equals(LOCATION)) {
            throw new DomainException.Invalid("properties.location", "The location must be one of: " + LOCATION
                    + ".");
        }
        return props;
    }

    private Account createOrg(Context ctx, String name, UUID id, NamespaceSettings.Schedule schedule,
                              List<Cidr> networks) {
        Principal p = IonosAuth.principal(ctx);
        Account org;
        try {
            org = accounts.createOrg(name, id, p.account(), p.actor());
        } catch (DomainException.Invalid e) {
            throw e.renamed(Map.of("name", "properties.name"));
        }
        if (schedule != null || !networks.isEmpty()) {
            namespaces.save(new NamespaceSettings(org.id(), networks, schedule, false, null, null, null), p.actor());
        }
        return org;
    }

    private void respondRegistry(Context ctx, int status, Account org) {
        Map<String, Object> json = registryJson(ctx, org, namespaces.get(org.id()));
        ctx.status(status).header("Location", (String) json.get("href")).json(json);
    }

    /** The caller's registry the path names; one it does not own is not found, whoever owns it. */
    private Account ownedRegistry(Context ctx) {
        Principal p = IonosAuth.principal(ctx);
        return accounts.findByUuid(uuid(ctx, "registry_id"))
                .filter(a -> a.isOrg() && policy.administers(p, a))
                .orElseThrow(() -> new DomainException.NotFound("Registry not found"));
    }

    private Map<String, Object> registryJson(Context ctx, Account org, NamespaceSettings settings) {
        OffsetDateTime now = Timestamps.now(clock);
        Map<String, Object> metadata = new LinkedHashMap<>();
        Optional<Account> creator = accounts.creator(org);
        metadata.put("createdBy", creator.map(Account::name).orElse(""));
        metadata.put("createdByUserId", creator.map(a -> a.uuid().toString()).orElse(""));
        metadata.put("createdDate", time(org.createdAt()));
        // Wharf creates a registry synchronously: it is running as soon as it exists.
        metadata.put("state", "RUNNING");
        if (settings.updatedAt() != null) {
            metadata.put("lastModifiedBy", settings.updatedBy() == null ? "" : settings.updatedBy());
            metadata.put("lastModifiedByUserId", userUuid(settings.updatedById()));
            metadata.put("lastModifiedDate", time(settings.updatedAt()));
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("name", org.name());
        props.put("location", LOCATION);
        props.put("hostname", requests.authority(ctx));
        props.put("garbageCollectionSchedule", scheduleJson(settings.gcSchedule()));
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("bytes", repositories.storageBytes(org.id()));
        usage.put("updatedAt", time(now));
        props.put("storageUsage", usage);
        props.put("apiSubnetAllowList", settings.allowedNetworks().stream().map(Cidr::text).toList());
        return resource(org.uuid(), "registry",
                requests.baseUrl(ctx) + IonosRoutes.PREFIX + "/registries/" + org.uuid(), metadata, props);
    }

    private static Map<String, Object> scheduleJson(NamespaceSettings.Schedule schedule) {
        if (schedule == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("days", schedule.days().stream().map(d -> d.getDisplayName(TextStyle.FULL, Locale.ENGLISH)).toList());
        out.put("time", UTC_TIME.format(schedule.time()));
        return out;
    }

    /** A weekly schedule: days by their English names, a time of day that is converted to UTC. */
    private static NamespaceSettings.Schedule schedule(Schedule in, String field) {
        if (in == null) {
            return null;
        }
        if (in.days() == null) {
            throw new DomainException.Invalid(field + ".days", "This field is required.");
        }
        if (in.days().size() > DayOfWeek.values().length) {
            throw new DomainException.Invalid(field + ".days", "A week has seven days.");
        }
        EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String day : in.days()) {
            days.add(java.util.Arrays.stream(DayOfWeek.values())
                    .filter(d -> d.getDisplayName(TextStyle.FULL, Locale.ENGLISH).equals(day)).findFirst()
                    .orElseThrow(() -> new DomainException.Invalid(field + ".days",
                            "Unknown day '" + day + "'; the days are Monday to Sunday.")));
        }
        if (in.time() == null || in.time().length() > 32) {
            throw new DomainException.Invalid(field + ".time", "A UTC time of day is required, e.g. 01:23:00+00:00.");
        }
        LocalTime time;
        try {
            time = in.time().matches(".*([+-]\\d\\d:\\d\\d|Z)$")
                    ? OffsetTime.parse(in.time()).withOffsetSameInstant(ZoneOffset.UTC).toLocalTime()
                    : LocalTime.parse(in.time());
        } catch (DateTimeException e) {
            throw new DomainException.Invalid(field + ".time", "A UTC time of day is required, e.g. 01:23:00+00:00.");
        }
        return new NamespaceSettings.Schedule(List.copyOf(days), time.withNano(0));
    }

    private static List<Cidr> networks(List<String> in, String field) {
        if (in == null) {
            return List.of();
        }
        if (in.size() > NamespaceSettings.MAX_NETWORKS) {
            throw new DomainException.Invalid(field, "At most " + NamespaceSettings.MAX_NETWORKS
                    + " networks may be listed.");
        }
        List<Cidr> out = new ArrayList<>();
        for (String network : in) {
            out.add(Cidr.parse(network).orElseThrow(() -> new DomainException.Invalid(field,
                    "'" + network + "' is not an IP address or CIDR network.")));
        }
        return out;
    }

    private static List<Cidr> networks(String[] in, String field) {
        return networks(in == null ? null : List.of(in), field);
    }

    // ------------------------------------------------------------------------------------------------ tokens

    /** {@code GET /registries/{id}/tokens}: oldest first, {@code offset}/{@code limit} given as strings. */
    void listTokens(Context ctx) {
        Account org = ownedRegistry(ctx);
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        Credentials.Page page = credentials.list(CredentialQuery.of(Credential.Kind.ROBOT).owner(org.id())
                .revoked(false).sort(CredentialQuery.Sort.OLDEST).page(offset, limit));
        String base = requests.baseUrl(ctx) + IonosRoutes.PREFIX + "/registries/" + org.uuid() + "/tokens";
        Map<String, Object> out = collection("tokens", base);
        out.put("items", page.items().stream().map(t -> tokenJson(ctx, org, t, "")).toList());
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("count", page.items().size());
        out.put("total", page.total());
        String next = (long) offset + limit < page.total()
                ? base + "?offset=" + (offset + limit) + "&limit=" + limit : "";
        String previous = offset > 0 ? base + "?offset=" + Math.max(0, offset - limit) + "&limit=" + limit : "";
        out.put("_links", links(base + "?offset=" + offset + "&limit=" + limit, next, previous));
        ctx.json(out);
    }

    /** {@code POST /registries/{id}/tokens}: 201 with the password, the only response that carries it. */
    void createToken(Context ctx) {
        Account org = ownedRegistry(ctx);
        TokenProperties props = tokenProperties(ctx);
        Credentials.Created created = createRobot(ctx, org, props, null);
        respondToken(ctx, org, created.credential(), created.secret());
    }

    void getToken(Context ctx) {
        Account org = ownedRegistry(ctx);
        ctx.json(tokenJson(ctx, org, ownedToken(ctx, org), ""));
    }

    /**
     * {@code PUT /registries/{id}/tokens/{tokenId}}: creates a token with the client's id (the password is shown
     * then), or replaces the expiry, scopes and status of the token of that id (its name cannot change, its password
     * stays and is not shown). 201 either way, as the spec says.
     */
    void putToken(Context ctx) {
        Principal p = IonosAuth.principal(ctx);
        Account org = ownedRegistry(ctx);
        UUID id = uuid(ctx, "token_id");
        TokenProperties props = tokenProperties(ctx);
        Optional<Credential> existing = credentials.find(id);
        OffsetDateTime now = Timestamps.now(clock);
        if (existing.isPresent() && existing.get().ownerId() == org.id() && existing.get().isRobot()
                && !existing.get().deleted() && !existing.get().isRevoked(now)) {
            Credential token = existing.get();
            if (!token.name().equals(props.name())) {
                throw new DomainException.Invalid("properties.name", "The name of a token cannot be changed.");
            }
            Credentials.Change change = Credentials.Change.none()
                    .expiresAt(expiry(props.expiryDate(), "properties.expiryDate"))
                    .resources(resourcesOrNone(props.scopes(), org, "properties.scopes"))
                    .active(!DISABLED.equals(props.status()));
            Credential replaced = renamed(() -> credentials.update(token, change, p.actor()), "properties.");
            respondToken(ctx, org, replaced, "");
            return;
        }
        if (existing.isPresent()) {
            // A dead token of this registry gives its id up to the new one; any other credential keeps it.
            Credential old = existing.get();
            if (old.ownerId() != org.id() || !old.isRobot()) {
                throw new DomainException.Conflict("The id is already in use");
            }
            credentials.revoke(old, true, p.actor(), null);
            credentials.find(id).ifPresent(credentials::purgeDeleted);
        }
        Credentials.Created created = createRobot(ctx, org, props, id);
        respondToken(ctx, org, created.credential(), created.secret());
    }

    /** {@code PATCH /registries/{id}/tokens/{tokenId}}: the flat body's fields that are present change. */
    void patchToken(Context ctx) {
        Principal p = IonosAuth.principal(ctx);
        Account org = ownedRegistry(ctx);
        Credential token = ownedToken(ctx, org);
        TokenPatch body = requests.body(ctx, TokenPatch.class);
        Credentials.Change change = Credentials.Change.none().active(status(body.status(), "status"))
                .resources(IonosScopes.resources(body.scopes(), org.name(), "scopes"));
        if (body.expiryDate() != null) {
            if (!body.expiryDate().isNull() && !body.expiryDate().isTextual()) {
                throw new DomainException.Invalid("expiryDate", "Must be a string.");
            }
            change = change.expiresAt(expiry(body.expiryDate().isNull() ? null : body.expiryDate().asText(),
                    "expiryDate"));
        }
        Credentials.Change applied = change;
        ctx.json(tokenJson(ctx, org, renamed(() -> credentials.update(token, applied, p.actor()), ""), ""));
    }

    /** {@code DELETE /registries/{id}/tokens/{tokenId}}: the token stops working at once. */
    void deleteToken(Context ctx) {
        Account org = ownedRegistry(ctx);
        credentials.revoke(ownedToken(ctx, org), true, IonosAuth.principal(ctx).actor(), null);
        ctx.status(204);
    }

    private TokenProperties tokenProperties(Context ctx) {
        TokenInput body = requests.body(ctx, TokenInput.class);
        if (body.properties() == null) {
            throw new DomainException.Invalid("properties", "This field is required.");
        }
        TokenProperties props = body.properties();
        if (props.name() == null || !TOKEN_NAME.matcher(props.name()).matches()) {
            throw new DomainException.Invalid("properties.name", "The name must be 2 to 63 letters, digits and"
                    + " hyphens, start with a letter and end with a letter or digit.");
        }
        status(props.status(), "properties.status");
        return props;
    }

    private Credentials.Created createRobot(Context ctx, Account org, TokenProperties props, UUID id) {
        Principal p = IonosAuth.principal(ctx);
        Credentials.Draft draft = Credentials.Draft.robot(props.name(), null,
                        resourcesOrNone(props.scopes(), org, "properties.scopes"),
                        expiry(props.expiryDate(), "properties.expiryDate"))
                .withActive(!DISABLED.equals(props.status())).withUuid(id);
        return renamed(() -> credentials.create(org, draft,
                new Credentials.Origin(requests.clientIp(ctx), ctx.userAgent(), "IONOS"), p.actor(), true),
                "properties.");
    }

    private void respondToken(Context ctx, Account org, Credential token, String password) {
        Map<String, Object> json = tokenJson(ctx, org, token, password);
        ctx.status(201).header("Location", (String) json.get("href")).json(json);
    }

    /** The registry's live token the path names; anything else is not found. */
    private Credential ownedToken(Context ctx, Account org) {
        OffsetDateTime now = Timestamps.now(clock);
        return credentials.find(uuid(ctx, "token_id"))
                .filter(t -> t.ownerId() == org.id() && t.isRobot() && !t.deleted() && !t.isRevoked(now))
                .orElseThrow(() -> new DomainException.NotFound("Token not found"));
    }

    /** Scopes as resources; a token without any (as ionosctl creates them) can sign in and do nothing. */
    private static List<Resource> resourcesOrNone(List<IonosScopes.Scope> scopes, Account org, String field) {
        List<Resource> resources = IonosScopes.resources(scopes, org.name(), field);
        return resources == null ? List.of() : resources;
    }

    private OffsetDateTime expiry(String raw, String field) {
        if (raw == null) {
            return null;
        }
        OffsetDateTime expiry = QueryTimes.parse(raw, field);
        if (expiry == null || expiry.isBefore(Timestamps.now(clock).plus(MIN_LIFETIME))) {
            throw new DomainException.Invalid(field, "The expiry date must be at least one hour in the future.");
        }
        return expiry;
    }

    /** {@code enabled} or {@code disabled} as whether the token is active; null when absent. */
    private static Boolean status(String status, String field) {
        if (status == null) {
            return null;
        }
        if (!status.equals(ENABLED) && !status.equals(DISABLED)) {
            throw new DomainException.Invalid(field, "The status is enabled or disabled.");
        }
        return status.equals(ENABLED);
    }

    private Map<String, Object> tokenJson(Context ctx, Account org, Credential t, String password) {
        OffsetDateTime now = Timestamps.now(clock);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("createdBy", t.creatorName() == null ? "" : t.creatorName());
        metadata.put("createdByUserId", userUuid(t.creatorId()));
        metadata.put("createdDate", time(t.createdAt()));
        metadata.put("state", t.isExpired(now) ? "expired" : t.active() ? ENABLED : DISABLED);
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("username", org.name() + "+" + t.name());
        login.put("password", password);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("credentials", login);
        props.put("name", t.name());
        props.put("expiryDate", time(t.expiresAt()));
        props.put("scopes", IonosScopes.scopes(t.resources(), org.name()));
        props.put("status", t.active() ? ENABLED : DISABLED);
        return resource(t.uuid(), "token", requests.baseUrl(ctx) + IonosRoutes.PREFIX + "/registries/" + org.uuid()
                + "/tokens/" + t.uuid(), metadata, props);
    }

    // ------------------------------------------------------------------------------------------------ shared

    private static Map<String, Object> resource(UUID id, String type, String href, Map<String, Object> metadata,
                                                Map<String, Object> properties) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id.toString());
        out.put("type", type);
        out.put("href", href);
        out.put("metadata", metadata);
        out.put("properties", properties);
        return out;
    }

    private static Map<String, Object> collection(String id, String href) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("type", "collection");
        out.put("href", href);
        return out;
    }

    private static Map<String, String> links(String self, String next, String previous) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("self", self);
        out.put("next", next);
        out.put("previous", previous);
        return out;
    }

    private String userUuid(Long accountId) {
        return accountId == null ? "" : accounts.findById(accountId).map(a -> a.uuid().toString()).orElse("");
    }

    /** What is wrong with a registry name: the spec's rule, then Wharf's account-name rules; null when nothing. */
    private static String nameProblem(String name) {
        if (name == null || !REGISTRY_NAME.matcher(name).matches()) {
            return "The name must be 3 to 63 characters a-z, 0-9 and '-', start with a letter and end with a"
                    + " letter or digit.";
        }
        return Names.problem(name);
    }

    /** A path id that is not a uuid is a bad request, as the spec's pattern makes it. */
    private static UUID uuid(Context ctx, String parameter) {
        String raw = Routed.parameter(ctx, parameter);
        if (!UUID_TEXT.matcher(raw).matches()) {
            throw new DomainException.Invalid(parameter.equals("token_id") ? "tokenId" : "registryId",
                    "Must be a UUID.");
        }
        return UUID.fromString(raw);
    }

    /** A numeric query parameter that the spec types as a string. */
    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        if (raw.length() > 10 || !raw.chars().allMatch(Character::isDigit)) {
            throw new DomainException.Invalid(name, "Must be an integer between " + min + " and " + max + ".");
        }
        long value = Long.parseLong(raw);
        if (value < min || value > max) {
            throw new DomainException.Invalid(name, "Must be an integer between " + min + " and " + max + ".");
        }
        return (int) value;
    }

    /** The registry name a {@code pagination.token} stands for; null for none. */
    private static String decodeToken(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            String name = token.length() > 100 ? null
                    : new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (name != null && Names.problem(name) == null) {
                return name;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the validation error
        }
        throw new DomainException.Invalid("pagination.token", "Not a pagination token this server issued.");
    }

    private static String selfQuery(Context ctx) {
        String query = ctx.queryString();
        return query == null || query.isEmpty() ? "" : "?" + query;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A JSON tree bound to {@code type}, with the dialect's field name on a mistake; an explicit null is null. */
    private static <T> T tree(JsonNode node, Class<T> type, String field) {
        if (node.isNull()) {
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DomainException.Invalid(field, "Invalid value.");
        }
    }

    /** Runs a credential change, naming the domain's fields as IONOS does ({@code prefix}: where they are). */
    private static <T> T renamed(Supplier<T> call, String prefix) {
        try {
            return call.get();
        } catch (DomainException.Invalid e) {
            throw e.renamed(Map.of("name", prefix + "name", "resources", prefix + "scopes",
                    "expires_at", prefix + "expiryDate", "active", prefix + "status"));
        }
    }

    /** RFC 3339 in UTC, to the precision stored. */
    private static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
