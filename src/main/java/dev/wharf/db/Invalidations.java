package dev.wharf.db;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every node that something it may cache has changed: a topic (what kind of thing) and a key (which one, as
 * ids and names, never data), or {@link #ALL} of a topic. Domain stores subscribe their caches' invalidation hooks
 * once at startup and publish in the transaction of each change.
 *
 * <p>On PostgreSQL a publication is a {@code pg_notify} in the caller's transaction, so the other nodes hear of it
 * exactly when it commits and never of a change that rolled back; each node listens on a dedicated connection. When
 * that connection drops it reconnects and flushes every subscribed cache, since it may have missed notifications.
 * This node applies its own changes directly after commit and skips their echo. On H2 (one node) publication is
 * only that direct call. The caches' short lifetimes remain the backstop for a notification that is lost anyway.
 */
public final class Invalidations implements AutoCloseable {
    /** The key that means every entry of a topic. */
    public static final String ALL = "*";
    private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);
    /** Well inside PostgreSQL's 8000-byte payload limit; a longer key is published as {@link #ALL}. */
    private static final int MAX_PAYLOAD_BYTES = 7000;
    private static final int POLL_MILLIS = 250;
    private static final long RECONNECT_MILLIS = 500;
    static final String APPLICATION_NAME = "wharf-invalidations";

    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final String node;
    private final String channel;
    private final String jdbcUrl;
    private final Thread listener;
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;

    private record Subscriber(Consumer<String> forgetOne, Runnable forgetAll) {
    }

    private Invalidations(String jdbcUrl, String channel) {
        byte[] id = new byte[6];
        new SecureRandom().nextBytes(id);
        this.node = HexFormat.of().formatHex(id);
        this.jdbcUrl = jdbcUrl;
        this.channel = channel;
        if (channel == null) {
            this.listener = null;
        } else {
            this.listener = new Thread(this::listen, "wharf-invalidations");
            listener.setDaemon(true);
            listener.start();
        }
    }

    /** For one node on an embedded database: publication is a direct call. */
    static Invalidations local() {
        return new Invalidations(null, null);
    }

    /**
     * For PostgreSQL: listens on {@code channel} over its own connection to {@code jdbcUrl}. The channel is per
     * database schema, so that nodes share it exactly when they share the data.
     */
    static Invalidations postgres(String jdbcUrl, String channel) {
        return new Invalidations(jdbcUrl, channel);
    }

    /**
     * Registers what to forget for a topic: one key, or everything (after a missed notification or an {@link #ALL}).
     * Called once per topic, at startup.
     */
    public void subscribe(String topic, Consumer<String> forgetOne, Runnable forgetAll) {
        if (subscribers.putIfAbsent(topic, new Subscriber(forgetOne, forgetAll)) != null) {
            throw new IllegalStateException("topic " + topic + " has a subscriber already");
        }
    }

    /**
     * Publishes that {@code key} of {@code topic} changed, as part of {@code h}'s transaction: every node forgets it
     * once the transaction commits (this one right after, the others when PostgreSQL delivers the notification).
     * Outside a transaction the change is taken to be committed already.
     */
    public void publish(Handle h, String topic, String key) {
        String payload = payload(topic, key);
        if (channel != null) {
            notify(h, payload);
        }
        afterCommit(h, () -> apply(topicAndKey(payload)));
    }

    private static void afterCommit(Handle h, Runnable then) {
        if (h.isInTransaction()) {
            h.afterCommit(then);
        } else {
            then.run();
        }
    }

    private void notify(Handle h, String payload) {
        h.createQuery("SELECT 1 FROM (SELECT pg_notify(:channel, :payload)) n")
                .bind("channel", channel).bind("payload", payload).mapTo(Integer.class).one();
    }

    private static String topicAndKey(String payload) {
        return payload.substring(payload.indexOf('\t') + 1);
    }

    /** The times the listener has connected (tests wait on it after cutting the connection). */
    public long connections() {
        return connections.get();
    }

    /** This node's id, which its listener connection carries in its application name. */
    public String node() {
        return node;
    }

    private String payload(String topic, String key) {
        String payload = node + "\t" + topic + "\t" + key;
        return payload.getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES ? payload
                : node + "\t" + topic + "\t" + ALL;
    }

    /** Applies a topic and key, tab-separated, to its subscriber. */
    private void apply(String topicAndKey) {
        int tab = topicAndKey.indexOf('\t');
        if (tab < 0) {
            return;
        }
        Subscriber subscriber = subscribers.get(topicAndKey.substring(0, tab));
        if (subscriber == null) {
            return;
        }
        String key = topicAndKey.substring(tab + 1);
        try {
            if (ALL.equals(key)) {
                subscriber.forgetAll().run();
            } else {
                subscriber.forgetOne().accept(key);
            }
        } catch (RuntimeException e) {
            // A key another version of Wharf sent that this one cannot read: forgetting the whole topic is safe.
            subscriber.forgetAll().run();
        }
    }

    private void flushAll() {
        subscribers.values().forEach(s -> s.forgetAll().run());
    }

    private void listen() {
        while (!closed) {
            Properties properties = new Properties();
            properties.setProperty("ApplicationName", APPLICATION_NAME + "-" + node);
            try (Connection connection = DriverManager.getConnection(jdbcUrl, properties)) {
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN \"" + channel + "\"");
                }
                // Whatever changed while this node was not listening is unknown: forget everything once.
                flushAll();
                connections.incrementAndGet();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] received = pg.getNotifications(POLL_MILLIS);
                    if (received != null) {
                        for (PGNotification n : received) {
                            receive(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("invalidation listener lost its database connection ({}); reconnecting",
                            e.getClass().getSimpleName());
                    pause();
                }
            }
        }
    }

    private void receive(String payload) {
        int tab = payload.indexOf('\t');
        if (tab > 0 && !payload.substring(0, tab).equals(node)) {
            apply(topicAndKey(payload));
        }
    }

    private void pause() {
        try {
            Thread.sleep(RECONNECT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (listener == null) {
            return;
        }
        listener.interrupt(); // ends a pause between reconnections; a poll ends by itself within POLL_MILLIS
        try {
            listener.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
