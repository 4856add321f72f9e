package dev.wharf.server;

import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.PasswordHasher;
import dev.wharf.admin.AdminApi;
import dev.wharf.audit.AuditLog;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Jwts;
import dev.wharf.auth.LoginThrottle;
import dev.wharf.auth.SigningKeys;
import dev.wharf.config.WharfConfig;
import dev.wharf.db.Database;
import dev.wharf.dockerhub.HubApi;
import dev.wharf.registry.RegistryApi;
import dev.wharf.repositories.Maintenance;
import dev.wharf.repositories.PullCounter;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Uploads;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.FilesystemBlobStore;
import dev.wharf.tokens.AccessTokens;
import dev.wharf.tokens.TokenSecret;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: opens the database, builds the domain services and the dialects, and serves HTTP.
 * One instance is one running server; {@link #close()} drains in-flight requests, then stops.
 */
public final class Wharf implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Wharf.class);
    public static final String ADMIN_USER = "admin";
    private static final long DRAIN_MILLIS = 30_000;

    private final WharfConfig config;
    private final Database database;
    private final Observability observability;
    private final Requests requests;
    private final AuditLog audit;
    private final Accounts accounts;
    private final AccessTokens tokens;
    private final Jwts jwts;
    private final Authenticator authenticator;
    private final HubApi hubApi;
    private final AdminApi adminApi;
    private final FilesystemBlobStore blobStore;
    private final Repositories repositories;
    private final Uploads uploads;
    private final PullCounter pulls;
    private final Maintenance maintenance;
    private final RegistryApi registryApi;
    private final Javalin app;
    /** Counts in-flight requests, so that {@link #close()} can wait for them. */
    private final GracefulHandler inFlight = new GracefulHandler();

    private Wharf(WharfConfig config, PrintStream console, String adminPassword) {
        this.config = config;
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create data directory " + config.dataDir() + ": " + e.getMessage());
        }
        this.requests = new Requests(new ClientAddress(config.trustedProxies()), config.publicUrl());
        this.observability = new Observability(requests);
        this.database = Database.open(config.jdbcUrl(), observability.meters());
        this.audit = new AuditLog(database.jdbi());
        this.accounts = new Accounts(database.jdbi(), audit, new PasswordHasher());
        this.tokens = new AccessTokens(database.jdbi(), audit);
        this.jwts = new Jwts(SigningKeys.loadOrCreate(database.jdbi()));
        this.authenticator = new Authenticator(accounts, tokens, audit, jwts, new LoginThrottle(), config.sessionTtl());
        this.hubApi = new HubApi(authenticator, tokens, accounts, audit, requests);
        this.adminApi = new AdminApi(authenticator, accounts);
        this.blobStore = new FilesystemBlobStore(config.dataDir().resolve("blobs"));
        this.repositories = new Repositories(database.jdbi(), audit, blobStore, config.defaultPrivate(),
                config.manifestMaxBytes());
        this.uploads = new Uploads(database.jdbi(), blobStore, repositories);
        this.pulls = new PullCounter(database.jdbi());
        this.registryApi = new RegistryApi(authenticator, accounts, jwts, repositories, uploads, pulls,
                requests);
        this.maintenance = new Maintenance(uploads, pulls, config.uploadMaxAge());
        createFirstAdmin(console, adminPassword);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.concurrency.useVirtualThreads = Runtime.version().feature() >= 21;
            c.jetty.host = config.bind();
            c.jetty.port = config.port();
            c.jsonMapper(new io.javalin.json.JavalinJackson(Json.MAPPER, false));
            c.http.maxRequestSize = 10L * 1024 * 1024;
            c.router.ignoreTrailingSlashes = false;
            c.jetty.modifyServer(server -> {
                server.setStopTimeout(0); // close() drains in-flight requests itself before stopping
                server.insertHandler(inFlight);
            });
            observability.install(c);
            Routes.register(c.routes, this);
            c.routes.error(404, ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) {
                    ctx.json(notFoundBody());
                }
            });
        });
    }

    /**
     * Starts a server and returns once it accepts requests.
     *
     * @param adminPassword the first site admin's password on an empty database ({@code WHARF_ADMIN_PASSWORD}),
     *                      or null to generate one and print it once on {@code console}
     */
    public static Wharf start(WharfConfig config, PrintStream console, String adminPassword) {
        Wharf wharf = new Wharf(config, console, adminPassword);
        try {
            wharf.app.start();
        } catch (RuntimeException e) {
            wharf.maintenance.close();
            wharf.database.close();
            throw e;
        }
        LOG.info("wharf listening on {}:{} (data dir {}, database {}, upload writes {})", config.bind(), wharf.port(),
                config.dataDir().toAbsolutePath(), wharf.database.isPostgres() ? "postgresql" : "h2",
                wharf.blobStore.directIo() ? "direct" : "through the page cache");
        return wharf;
    }

    /**
     * On an empty database, creates the site admin {@code admin} with the given password or, if there is none, a
     * strong generated one printed once on the console (never through the logger).
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
        accounts.createUser(ADMIN_USER, password, null, true, "wharf");
        if (generated) {
            console.println("Created the site admin '" + ADMIN_USER + "' with the password: " + password);
            console.println("This password is shown only once. Sign in and store it safely.");
        } else {
            console.println("Created the site admin '" + ADMIN_USER + "' with the password from WHARF_ADMIN_PASSWORD.");
        }
    }

    private static Map<String, Object> notFoundBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "not found");
        body.put("errinfo", null);
        return body;
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

    public Database database() {
        return database;
    }

    Observability observability() {
        return observability;
    }

    HubApi hubApi() {
        return hubApi;
    }

    AdminApi adminApi() {
        return adminApi;
    }

    RegistryApi registryApi() {
        return registryApi;
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

    public AccessTokens tokens() {
        return tokens;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public AuditLog audit() {
        return audit;
    }

    public Jwts jwts() {
        return jwts;
    }

    public Requests requests() {
        return requests;
    }

    /**
     * Stops accepting connections, lets in-flight requests finish (up to 30 s), then stops and closes the database.
     * Jetty's own graceful stop would cut in-flight connections to a 1 s idle timeout, aborting a client that pauses
     * mid-upload, so the connectors keep the whole drain time as their idle timeout while this method waits.
     */
    @Override
    public void close() {
        try {
            for (Connector connector : app.jettyServer().server().getConnectors()) {
                if (connector instanceof AbstractConnector jetty) {
                    jetty.setShutdownIdleTimeout(DRAIN_MILLIS);
                }
                connector.shutdown();
            }
            long deadline = System.nanoTime() + DRAIN_MILLIS * 1_000_000;
            while (inFlight.getCurrentRequestCount() > 0 && System.nanoTime() < deadline) {
                sleep(50);
            }
            app.stop();
        } finally {
            maintenance.close();
            observability.close();
            database.close();
        }
    }
}
