package dev.wharf.server;

import dev.wharf.http.ClientAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow or greedy clients from taking the server down, at the connection level, where no request handler runs:
 * <ul>
 *   <li>One client address may hold at most {@code perClient} open connections; one more is closed as soon as it
 *       opens. Trusted proxies are exempt, since every client behind them shares their address.</li>
 *   <li>A client that has begun a request must finish sending its headers within {@code headerTimeout}; a client
 *       that trickles them (one byte every few seconds keeps the idle timeout from ever firing) is cut off.</li>
 * </ul>
 * Request bodies have their own bound, a minimum data rate, applied by Jetty's {@code MinimumDataRateHandler}. What
 * this keeps per connection is removed when the connection closes, so it never outgrows the open connections.
 */
final class ConnectionGuard implements Connection.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final int perClient;
    private final long headerTimeoutNanos;
    private final ClientAddress trusted;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    /** Each open connection: its client address (counted, or null when exempt) and header state. */
    private final Map<Connection, Tracked> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wharf-connection-guard");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param counted the address this connection counts against, or null when it is exempt; the address is kept
     *                because a closed endpoint no longer tells it
     * @param since   when the connection was first seen sending a request's headers, 0 when it is not
     */
    private record Tracked(String counted, long since) {
    }

    ConnectionGuard(int perClient, Duration headerTimeout, ClientAddress trusted) {
        this.perClient = perClient;
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.trusted = trusted;
        long every = Math.max(100, Math.min(1000, headerTimeout.toMillis() / 4));
        var unused = sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        String address = address(connection.getEndPoint().getRemoteSocketAddress());
        String counted = address == null || trusted.isTrusted(address) ? null : address;
        connections.put(connection, new Tracked(counted, 0L));
        if (counted != null && open.merge(counted, 1, Integer::sum) > perClient) {
            LOG.debug("closing a connection from {}: it already has {} open", counted, perClient);
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        Tracked tracked = connections.remove(connection);
        if (tracked != null && tracked.counted() != null) {
            open.computeIfPresent(tracked.counted(), (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Closes connections that have been sending one request's headers for longer than the header timeout. */
    private void sweep() {
        long now = System.nanoTime();
        connections.replaceAll((connection, tracked) -> {
            if (!(connection instanceof HttpConnection http)) {
                return tracked;
            }
            HttpParser parser = http.getParser();
            if (parser.isStart() || !parser.inHeaderState()) {
                return tracked.since() == 0L ? tracked : new Tracked(tracked.counted(), 0L);
            }
            if (tracked.since() == 0L) {
                return new Tracked(tracked.counted(), now);
            }
            if (now - tracked.since() > headerTimeoutNanos) {
                LOG.debug("closing a connection that did not finish its headers in time");
                connection.getEndPoint().close();
            }
            return tracked;
        });
    }

    private static String address(SocketAddress socket) {
        return socket instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
