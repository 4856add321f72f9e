package dev.wharf.server;

import dev.wharf.access.AccessPolicy;
import dev.wharf.access.ImageRestrictions;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Members;
import dev.wharf.accounts.Teams;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.accounts.PasswordHasher;
import dev.wharf.admin.AdminApi;
import dev.wharf.admin.AdminRoutes;
import dev.wharf.admin.RetentionApi;
import dev.wharf.admin.CollectionApi;
import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditLog;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Jwts;
import dev.wharf.auth.LoginThrottle;
import dev.wharf.auth.SecretBox;
import dev.wharf.auth.SigningKeys;
import dev.wharf.auth.WebSessions;
import dev.wharf.config.ConfigResolver;
import dev.wharf.config.WharfConfig;
import dev.wharf.core.Bookkeeping;
import dev.wharf.core.DomainException;
import dev.wharf.core.PrivateFiles;
import dev.wharf.core.RateLimiter;
import dev.wharf.credentials.CredentialRules;
import dev.wharf.credentials.CredentialUpkeep;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.ExpiryWarnings;
import dev.wharf.credentials.TokenSecret;
import dev.wharf.db.Database;
import dev.wharf.db.Invalidations;
import dev.wharf.dockerhub.HubApi;
import dev.wharf.dockerhub.HubRoutes;
import dev.wharf.dockerhub.ImagesApi;
import dev.wharf.gitlab.GitlabApi;
import dev.wharf.gitlab.GitlabRoutes;
import dev.wharf.http.ClientAddress;
import dev.wharf.http.Requests;
import dev.wharf.ionos.IonosApi;
import dev.wharf.ionos.IonosRoutes;
import dev.wharf.registry.RegistryApi;
import dev.wharf.repositories.CollectionWorker;
import dev.wharf.repositories.GarbageCollector;
import dev.wharf.repositories.Images;
import dev.wharf.repositories.Retention;
import dev.wharf.repositories.RetentionPolicies;
import dev.wharf.repositories.Maintenance;
import dev.wharf.repositories.ManifestContentMigration;
import dev.wharf.repositories.ManifestReferencesMigration;
import dev.wharf.repositories.PullCounter;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.RepositoryProfiles;
import dev.wharf.repositories.TagViews;
import dev.wharf.repositories.Uploads;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.ContentAddressedStore;
import dev.wharf.storage.FilesystemBlobStore;
import dev.wharf.storage.S3BlobStore;
import dev.wharf.web.WebRoutes;
import dev.wharf.webhooks.ExpiryWebhook;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: secures the data directory, opens the database, builds the domain services and the
 * dialects, and serves HTTP. One instance is one running server; {@link #close()} drains in-flight requests, then
 * stops; {@link #drainAndClose()} first tells a load balancer to go elsewhere.
 */
public final class Wharf implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Wharf.class);
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD_ENV = "WHARF_ADMIN_PASSWORD";
    /** How long {@link #close()} lets in-flight requests finish once no new connection is accepted. */
    private static final long IN_FLIGHT_MILLIS = 30_000;
    /** How often a drain looks at the clock. */
    private static final long DRAIN_TICK_MILLIS = 100;
    /** Request threads on Java 17, where requests do not run on virtual threads. */
    private static final int PLATFORM_THREADS = 512;

    private final WharfConfig config;
    private final Clock clock;
    private final Database database;
    private final Observability observability;
    private final Bookkeeping bookkeeping = new Bookkeeping();
    private final AuditLog audit;
    private final Accounts accounts;
    private final Credentials credentials;
    private final NamespaceSettingsStore namespaces;
    private final SigningKeys signingKeys;
    private final Authenticator authenticator;
    private final ContentAddressedStore blobStore;
    private final Repositories repositories;
    private final Uploads uploads;
    private final PullCounter pulls;
    private final Maintenance maintenance;
    private final GarbageCollector collector;
    private final CollectionWorker collectionWorker;
    private final CredentialUpkeep credentialUpkeep;
    private final ConnectionGuard connections;
    private final Health health;
    private final Javalin app;
    /** Counts in-flight requests, so that {@link #close()} can wait for them. */
    private final GracefulHandler inFlight = new GracefulHandler();

    private Wharf(WharfConfig config, PrintStream console, Map<String, String> env, Clock clock) {
        this.config = config;
        this.clock = clock;
        secureDataDirectory(config);
        Requests requests = new Requests(new ClientAddress(config.trustedProxies()), config.publicUrl(),
                config.bodyMaxBytes());
        this.observability = new Observability(requests);
        this.blobStore = openBlobStore(config);
        this.database = Database.open(config.jdbcUrl(), observability.meters(),
                new ManifestReferencesMigration(blobStore), new ManifestContentMigration(blobStore));
        restrictEmbeddedDatabase(config);
        this.audit = new AuditLog(database.jdbi(), clock);
        Invalidations invalidations = database.invalidations();
        this.accounts = new Accounts(database.jdbi(), invalidations, audit, new PasswordHasher(), clock);
        this.credentials = new Credentials(database.jdbi(), invalidations, audit, clock, bookkeeping,
                new CredentialRules(config.tokenMaxLifetime(), config.tokenRequireExpiry()));
        this.namespaces = new NamespaceSettingsStore(database.jdbi(), invalidations, audit, clock);
        SecretBox box = SecretBox.load(env.get(SecretBox.ENV), config.secretKeyPath());
        this.signingKeys = SigningKeys.load(database.jdbi(), box, clock);
        Jwts jwts = new Jwts(signingKeys, clock);
        this.authenticator = new Authenticator(accounts, credentials, namespaces, audit, jwts,
                new LoginThrottle(database.jdbi(), clock), config.sessionTtl());
        this.repositories = new Repositories(database.jdbi(), database.isPostgres(), invalidations, audit, blobStore,
                clock, config.defaultPrivate(), config.manifestMaxBytes(), config.gcProtectionWindow());
        accounts.whenNamespaceDeleting(repositories::namespaceDeleting);
        RetentionPolicies retentionPolicies = new RetentionPolicies(database.jdbi(), audit, clock);
        Retention retention = new Retention(database.jdbi(), repositories, retentionPolicies);
        this.collector = new GarbageCollector(database.jdbi(), database.isPostgres(), repositories, retentionPolicies,
                retention, audit,
                () -> accounts.oldestSiteAdmin().map(Account::logOwner),
                observability.meters(), clock);
        this.collectionWorker = new CollectionWorker(collector, config.gcInterval(), namespaces::gcSchedules, clock);
        Teams teams = new Teams(database.jdbi(), invalidations, audit, accounts, clock);
        AccessPolicy policy = new AccessPolicy(accounts, repositories, teams,
                new ImageRestrictions(accounts, namespaces));
        this.uploads = new Uploads(database.jdbi(), blobStore, repositories, clock);
        this.pulls = new PullCounter(database.jdbi(), clock, bookkeeping);
        this.maintenance = new Maintenance(uploads, pulls, config.uploadMaxAge());
        this.credentialUpkeep = new CredentialUpkeep(credentials, new ExpiryWarnings(database.jdbi(), clock),
                config.webhookUrl() == null ? null
                        : new ExpiryWebhook(config.webhookUrl(), config.webhookSecret(), clock));
        Gauge.builder("wharf.credentials.expiring.7d", credentialUpkeep, CredentialUpkeep::expiringSoon)
                .description("Credentials that work and expire within 7 days").register(observability.meters());
        createFirstAdmin(console, env.get(ADMIN_PASSWORD_ENV));

        this.health = new Health(database, config.dataDir(), blobStore, clock);
        Members members = new Members(database.jdbi(), teams);
        RepositoryProfiles profiles = new RepositoryProfiles(database.jdbi(), audit, repositories, clock);
        Images images = new Images(database.jdbi(), repositories);
        PathSpaces spaces = new PathSpaces(
                HubRoutes.dialect(new HubApi(authenticator, credentials, policy, audit, requests, clock,
                        new HubApi.Content(repositories, profiles, new TagViews(database.jdbi(), blobStore, clock)),
                        new HubApi.Organizations(accounts, members, teams, repositories,
                                namespaces)),
                        new ImagesApi(images, repositories, policy, requests,
                                clock)),
                new RegistryApi(authenticator, policy, jwts, repositories, uploads, pulls, requests, clock),
                AdminRoutes.dialect(new AdminApi(authenticator, accounts, credentials, policy, namespaces,
                        new RateLimiter(database.jdbi(), "leak-reports", AdminApi.LEAK_REPORTS_PER_HOUR,
                                Duration.ofHours(1), clock), requests, clock), new CollectionApi(collector, requests, clock),
                        new RetentionApi(accounts, repositories, retentionPolicies, retention, policy, requests,
                                clock)),
                GitlabRoutes.dialect(new GitlabApi(authenticator, credentials, accounts, policy, requests, clock)),
                IonosRoutes.dialect(new IonosApi(authenticator, accounts, credentials, namespaces, repositories,
                        policy, requests, clock)),
                OperationsRoutes.dialect(health::serveHealth, health::serveReadiness, observability::serveMetrics),
                WebRoutes.dialect(new WebRoutes.Services(authenticator,
                        new WebSessions(database.jdbi(), config.sessionTtl(), clock), credentials, accounts, members,
                        teams, namespaces, policy, repositories, profiles, images, audit, collector,
                        credentials.rules()), requests, clock));
        this.connections = new ConnectionGuard(config.connectionsPerClient(), config.headerTimeout(),
                requests.clientAddress());
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.concurrency.useVirtualThreads = Runtime.version().feature() >= 21;
            if (!c.concurrency.useVirtualThreads) {
                // A request blocked on a slow body holds a platform thread; one client address may hold at most
                // connectionsPerClient of them, and this leaves room for everyone else.
                QueuedThreadPool threads = new QueuedThreadPool(PLATFORM_THREADS, 8, 60_000);
                threads.setName("wharf-http");
                c.jetty.threadPool = threads;
            }
            c.jetty.host = config.bind();
            c.jetty.port = config.port();
            c.jsonMapper(new io.javalin.json.JavalinJackson(dev.wharf.http.Json.MAPPER, false));
            c.http.maxRequestSize = config.bodyMaxBytes();
            c.jetty.modifyServer(server -> {
                server.setStopTimeout(0); // close() drains in-flight requests itself before stopping
                server.setErrorHandler(new JettyErrors(spaces));
                if (config.minBodyRate() > 0) {
                    server.insertHandler(new BodyRate(config.minBodyRate()));
                }
                server.insertHandler(new MalformedRequests(spaces));
                server.insertHandler(inFlight);
                server.addEventListener(new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(LifeCycle event) {
                        for (Connector connector : server.getConnectors()) {
                            connector.addEventListener(connections);
                            if (connector instanceof AbstractConnector jetty) {
                                jetty.setIdleTimeout(config.idleTimeout().toMillis());
                            }
                        }
                    }
                });
            });
            c.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JettyErrors(spaces)));
            // Malformed percent-encoding passes Jetty's parser so that MalformedRequests, which knows whose path it
            // is, refuses it in that dialect's shape; nothing decodes the path before that check.
            c.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(UriCompliance.DEFAULT.with("WHARF",
                    UriCompliance.Violation.BAD_PERCENT_ENCODING, UriCompliance.Violation.TRUNCATED_UTF8_ENCODING)));
            observability.install(c);
            // Routing is the dialects' own (one route table each); the framework only hands every request over.
            for (String method : MalformedRequests.METHODS) {
                HandlerType type = HandlerType.findOrCreate(method);
                c.routes.addHttpHandler(type, "/<path>", ctx -> spaces.dialectFor(ctx.path()).serve(ctx));
                c.routes.addHttpHandler(type, "/", ctx -> spaces.dialectFor(ctx.path()).serve(ctx));
            }
        });
    }

    /**
     * Starts a server and returns once it accepts requests.
     *
     * @param env the environment: {@code WHARF_ADMIN_PASSWORD} (the first site admin's password on an empty
     *            database; generated and printed once on {@code console} when absent) and {@code WHARF_SECRET_KEY}
     */
    public static Wharf start(WharfConfig config, PrintStream console, Map<String, String> env, Clock clock) {
        Wharf wharf = new Wharf(config, console, env, clock);
        try {
            wharf.app.start();
        } catch (RuntimeException e) {
            wharf.shutDownServices();
            throw e;
        }
        LOG.info("wharf listening on {}:{} (data dir {}, database {}, blobs {})", config.bind(), wharf.port(),
                config.dataDir().toAbsolutePath(), wharf.database.isPostgres() ? "postgresql" : "h2",
                wharf.blobStore instanceof FilesystemBlobStore fs
                        ? "in the data directory, upload writes " + (fs.directIo() ? "direct" : "through the page cache")
                        : "in S3 bucket " + config.s3().bucket());
        return wharf;
    }

    /**
     * The data directory's store, or the S3 one after checking its bucket: a missing or unreachable bucket stops the
     * start with one line that says so.
     */
    private static ContentAddressedStore openBlobStore(WharfConfig config) {
        if (config.s3() == null) {
            return new FilesystemBlobStore(config.dataDir().resolve("blobs"));
        }
        try {
            return S3BlobStore.open(config.s3());
        } catch (IllegalStateException e) {
            throw new ConfigResolver.ConfigException(e.getMessage());
        }
    }

    /**
     * The data directory holds the database, the secret key and private images: it is made 0700 (also when it
     * already exists), whatever the umask, so no other user of the machine can read it.
     */
    private static void secureDataDirectory(WharfConfig config) {
        try {
            PrivateFiles.directories(config.dataDir());
            PrivateFiles.restrictDirectory(config.dataDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create data directory " + config.dataDir() + ": " + e.getMessage());
        }
    }

    /** H2 creates its files under the process umask; they are made 0600, in a 0700 directory, once it has. */
    private static void restrictEmbeddedDatabase(WharfConfig config) {
        Path dir = config.h2Directory();
        if (config.databaseUrl() != null || !Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            PrivateFiles.restrictDirectory(dir);
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    PrivateFiles.restrictFile(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict the database files in " + dir, e);
        }
    }

    /**
     * On an empty database, creates the site admin {@code admin} with the given password or, if there is none, a
     * strong generated one printed once on the console (never through the logger). Several nodes starting at once on
     * one empty database race for it; one wins, the others find the admin there, and only the winner prints.
     */
    private void createFirstAdmin(PrintStream console, String givenPassword) {
        if (accounts.hasAnyUser()) {
            return;
        }
        String password = givenPassword;
        boolean generated = password == null || password.isEmpty();
        if (generated) {
            password = TokenSecret.generate("").substring(0, 24);
        }
        try {
            accounts.createUser(ADMIN_USER, password, null, true, Actor.SYSTEM);
        } catch (DomainException.Conflict raced) {
            return;
        }
        if (generated) {
            console.println("Created the site admin '" + ADMIN_USER + "' with the password: " + password);
            console.println("This password is shown only once. Sign in and store it safely.");
        } else {
            console.println("Created the site admin '" + ADMIN_USER + "' with the password from "
                    + ADMIN_PASSWORD_ENV + ".");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int port() {
        return app.port();
    }

    public WharfConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public Database database() {
        return database;
    }

    public Repositories repositories() {
        return repositories;
    }

    public Uploads uploads() {
        return uploads;
    }

    public PullCounter pulls() {
        return pulls;
    }

    public BlobStore blobStore() {
        return blobStore;
    }

    public Accounts accounts() {
        return accounts;
    }

    public Credentials credentials() {
        return credentials;
    }

    public NamespaceSettingsStore namespaces() {
        return namespaces;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public AuditLog audit() {
        return audit;
    }

    public SigningKeys signingKeys() {
        return signingKeys;
    }

    public CredentialUpkeep credentialUpkeep() {
        return credentialUpkeep;
    }

    public GarbageCollector collector() {
        return collector;
    }

    public Bookkeeping bookkeeping() {
        return bookkeeping;
    }

    /**
     * Stops the way a node behind a load balancer should (on SIGTERM): {@code /readyz} answers 503 at once, while
     * every request, in flight or new, is still served for the configured drain period, so that the balancer notices
     * and sends no more; then {@link #close()}. A drain period of zero closes at once.
     */
    public void drainAndClose() {
        health.drain();
        Duration period = config.drainPeriod();
        if (!period.isZero()) {
            LOG.info("draining: /readyz answers 503; requests are still served for {} s", period.toSeconds());
            Instant end = clock.instant().plus(period);
            for (Instant now = clock.instant(); now.isBefore(end); now = clock.instant()) {
                sleep(Math.min(DRAIN_TICK_MILLIS, Duration.between(now, end).toMillis() + 1));
            }
        }
        close();
    }

    /**
     * Stops accepting connections, lets in-flight requests finish (up to 30 s), then stops the background workers and
     * closes the database pool.
     * Jetty's own graceful stop would cut in-flight connections to a 1 s idle timeout, aborting a client that pauses
     * mid-upload, so the connectors keep the whole drain time as their idle timeout while this method waits.
     */
    @Override
    public void close() {
        try {
            for (Connector connector : app.jettyServer().server().getConnectors()) {
                if (connector instanceof AbstractConnector jetty) {
                    jetty.setShutdownIdleTimeout(IN_FLIGHT_MILLIS);
                }
                var unused = connector.shutdown(); // completion is awaited below, by request count
            }
            LOG.info("stopping: no new connections; {} requests in flight", inFlight.getCurrentRequestCount());
            long deadline = System.nanoTime() + IN_FLIGHT_MILLIS * 1_000_000;
            while (inFlight.getCurrentRequestCount() > 0 && System.nanoTime() < deadline) {
                sleep(50);
            }
            app.stop();
        } finally {
            shutDownServices();
        }
    }

    private void shutDownServices() {
        connections.close();
        collectionWorker.close();
        collector.close();
        maintenance.close();
        credentialUpkeep.close();
        bookkeeping.close();
        observability.close();
        database.close();
        try {
            blobStore.close();
        } catch (IOException e) {
            LOG.warn("closing the blob store failed: {}", e.getMessage());
        }
    }
}
