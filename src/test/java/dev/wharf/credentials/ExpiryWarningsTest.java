package dev.wharf.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.wharf.accounts.Account;
import dev.wharf.audit.Actor;
import dev.wharf.config.WharfConfig;
import dev.wharf.repositories.Action;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.webhooks.ExpiryWebhook;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Expiry warnings: a signed JSON POST to the webhook 7 days and 1 day before any credential expires, each sent once
 * (also with two nodes at it), never for a credential that no longer works, tried again after a failed delivery;
 * and the gauge of credentials expiring within 7 days. Time moves on a manual clock and the upkeep is run by hand.
 */
abstract class ExpiryWarningsTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String WEBHOOK_SECRET = "webhook-secret-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManualClock clock = new ManualClock();
    private final Receiver receiver = new Receiver();

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected WharfConfig configure(WharfConfig config) {
        return config.toBuilder().webhookUrl(receiver.url()).webhookSecret(WEBHOOK_SECRET).build();
    }

    @AfterAll
    void stopReceiver() {
        receiver.close();
    }

    /** A tiny webhook receiver: records every POST and answers with {@link #status}. */
    static final class Receiver implements AutoCloseable {
        /** One POST; the body as sent, as text (JSON is UTF-8). */
        record Delivery(Map<String, List<String>> headers, String body, int answered) {
            JsonNode json() {
                try {
                    return JSON.readTree(body);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            String header(String name) {
                return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                        .map(e -> e.getValue().get(0)).findFirst().orElse(null);
            }

            String uuid() {
                return json().path("credential").path("uuid").asText();
            }
        }

        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        final AtomicInteger status = new AtomicInteger(204);
        private final HttpServer http;

        Receiver() {
            try {
                http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            http.createContext("/hook", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    int answer = status.get();
                    deliveries.add(new Delivery(Map.copyOf(exchange.getRequestHeaders()), body, answer));
                    exchange.sendResponseHeaders(answer, -1);
                } finally {
                    exchange.close();
                }
            });
            http.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/hook?key=in-the-url");
        }

        /** What was delivered (answered 2xx) about one credential, in order. */
        List<Delivery> delivered(String uuid) {
            return deliveries.stream().filter(d -> d.answered() / 100 == 2 && d.uuid().equals(uuid)).toList();
        }

        List<Delivery> attempts(String uuid) {
            return deliveries.stream().filter(d -> d.uuid().equals(uuid)).toList();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private Http newUser(String name) {
        return server.http().bearer(Sessions.newUser(server, name, PASSWORD));
    }

    /** A personal token expiring {@code in} from now: {uuid, secret}. */
    private String[] pat(Http user, String label, Duration in) {
        String expiry = clock.instant().plus(in).truncatedTo(ChronoUnit.SECONDS).toString();
        Http.Response r = user.post("/v2/access-tokens", Map.of("token_label", label, "scopes", List.of("repo:read"),
                "expires_at", expiry));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return new String[] {r.json().get("uuid").asText(), r.json().get("token").asText()};
    }

    private Credential credential(String uuid) {
        return server.wharf().credentials().find(UUID.fromString(uuid)).orElseThrow();
    }

    private void upkeep() {
        server.wharf().credentialUpkeep().runNow();
    }

    private static String hmac(String body) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aWarningNamesTheCredentialNeverItsSecretAndIsSignedWithTheWebhookSecret() throws Exception {
        String name = uniqueName("warn");
        String[] pat = pat(newUser(name), "deploy key", Duration.ofDays(10));
        upkeep();
        assertThat(receiver.attempts(pat[0])).isEmpty();

        clock.advance(Duration.ofDays(3).plusMinutes(1));
        upkeep();
        List<Receiver.Delivery> got = receiver.delivered(pat[0]);
        assertThat(got).hasSize(1);
        Receiver.Delivery d = got.get(0);
        assertThat(d.header("Content-Type")).isEqualTo("application/json");
        assertThat(d.header(ExpiryWebhook.EVENT_HEADER)).isEqualTo("credential.expiring");
        assertThat(d.header(ExpiryWebhook.SIGNATURE_HEADER)).isEqualTo(hmac(d.body()));
        assertThat(d.header(ExpiryWebhook.SIGNATURE_HEADER)).isNotEqualTo(hmac("{}"));

        JsonNode body = d.json();
        Credential c = credential(pat[0]);
        assertThat(body.get("event").asText()).isEqualTo("credential.expiring");
        assertThat(body.get("warning_days").asInt()).isEqualTo(7);
        assertThat(body.get("days_left").asInt()).isEqualTo(7);
        assertThat(Instant.parse(body.get("sent_at").asText())).isEqualTo(clock.instant().truncatedTo(ChronoUnit.MICROS));
        JsonNode credential = body.get("credential");
        assertThat(credential.get("id").isIntegralNumber()).isTrue();
        assertThat(credential.get("id").asLong()).isEqualTo(c.id());
        assertThat(credential.get("uuid").asText()).isEqualTo(pat[0]);
        assertThat(credential.get("kind").asText()).isEqualTo("personal");
        assertThat(credential.get("name").asText()).isEqualTo("deploy key");
        assertThat(credential.get("owner").asText()).isEqualTo(name);
        assertThat(Instant.parse(credential.get("expires_at").asText())).isEqualTo(c.expiresAt().toInstant());
        assertThat(d.body()).doesNotContain(pat[1]).doesNotContain(pat[1].substring(10, 30))
                .doesNotContain(WEBHOOK_SECRET);
    }

    @Test
    void eachWarningIsSentOnceSevenDaysAndOneDayBeforeTheExpiryAndNoneAfterIt() {
        String[] pat = pat(newUser(uniqueName("once")), "ci", Duration.ofDays(10));
        clock.advance(Duration.ofDays(3).minusMinutes(1));
        upkeep();
        assertThat(receiver.attempts(pat[0])).as("10 days less 3 days less a minute is not 7 days").isEmpty();

        clock.advance(Duration.ofMinutes(2));
        upkeep();
        upkeep();
        assertThat(receiver.delivered(pat[0])).hasSize(1);

        clock.advance(Duration.ofDays(5));
        upkeep();
        assertThat(receiver.delivered(pat[0])).as("2 days left: nothing new").hasSize(1);

        clock.advance(Duration.ofDays(1));
        upkeep();
        upkeep();
        List<Receiver.Delivery> got = receiver.delivered(pat[0]);
        assertThat(got).hasSize(2);
        assertThat(got.get(1).json().get("warning_days").asInt()).isEqualTo(1);
        assertThat(got.get(1).json().get("days_left").asInt()).isEqualTo(1);

        clock.advance(Duration.ofDays(2));
        upkeep();
        assertThat(receiver.attempts(pat[0])).as("expired: no more warnings").hasSize(2);
    }

    @Test
    void aCredentialThatExpiresSoonerThanADayGetsOnlyTheOneDayWarning() {
        String[] pat = pat(newUser(uniqueName("soon")), "short", Duration.ofHours(20));
        upkeep();
        upkeep();
        List<Receiver.Delivery> got = receiver.delivered(pat[0]);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).json().get("warning_days").asInt()).isEqualTo(1);
        assertThat(got.get(0).json().get("days_left").asInt()).isEqualTo(1);
    }

    @Test
    void robotsAreWarnedToo() {
        String owner = uniqueName("own");
        Http user = newUser(owner);
        String org = uniqueName("org");
        assertThat(user.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        Account account = server.wharf().accounts().org(org);
        Credentials.Created robot = server.wharf().credentials().create(account,
                Credentials.Draft.robot("pipeline", null, List.of(new Resource(Resource.Kind.REPOSITORY, org + "/*",
                        Set.of(Action.PULL))), OffsetDateTime.ofInstant(clock.instant().plus(Duration.ofDays(5)),
                        ZoneOffset.UTC)),
                new Credentials.Origin("127.0.0.1", "test", "TEST"), Actor.SYSTEM, true);
        upkeep();
        List<Receiver.Delivery> got = receiver.delivered(robot.credential().uuid().toString());
        assertThat(got).hasSize(1);
        JsonNode body = got.get(0).json();
        assertThat(body.get("warning_days").asInt()).isEqualTo(7);
        assertThat(body.get("days_left").asInt()).isEqualTo(5);
        assertThat(body.get("credential").get("kind").asText()).isEqualTo("robot");
        assertThat(body.get("credential").get("owner").asText()).isEqualTo(org);
        assertThat(body.get("credential").get("name").asText()).isEqualTo("pipeline");
        assertThat(got.get(0).body()).doesNotContain(robot.secret());
    }

    @Test
    void credentialsThatNoLongerWorkAreNotWarned() {
        Http user = newUser(uniqueName("gone"));
        String[] deleted = pat(user, "deleted", Duration.ofDays(3));
        String[] inactive = pat(user, "inactive", Duration.ofDays(3));
        String[] rotated = pat(user, "rotated", Duration.ofDays(3));
        String[] leaked = pat(user, "leaked", Duration.ofDays(3));
        String[] live = pat(user, "live", Duration.ofDays(3));
        assertThat(user.delete("/v2/access-tokens/" + deleted[0]).status()).isEqualTo(204);
        assertThat(user.patch("/v2/access-tokens/" + inactive[0], Map.of("is_active", false)).status())
                .isEqualTo(200);
        Credentials.Created successor = server.wharf().credentials().rotate(credential(rotated[0]), null,
                Duration.ofHours(1), new Credentials.Origin("127.0.0.1", "test", "TEST"), Actor.SYSTEM);
        assertThat(server.http().post("/api/v1/credentials/revoke", Map.of("credentials", List.of(leaked[1])))
                .status()).isEqualTo(202);
        upkeep();
        for (String[] quiet : List.of(deleted, inactive, rotated, leaked)) {
            assertThat(receiver.attempts(quiet[0])).isEmpty();
        }
        assertThat(receiver.attempts(successor.credential().uuid().toString())).as("it never expires").isEmpty();
        assertThat(receiver.delivered(live[0])).hasSize(1);
    }

    @Test
    void aNewExpiryIsWarnedAboutAfresh() {
        String[] pat = pat(newUser(uniqueName("again")), "extended", Duration.ofDays(5));
        upkeep();
        assertThat(receiver.delivered(pat[0])).hasSize(1);
        server.wharf().credentials().update(credential(pat[0]), Credentials.Change.none().expiresAt(
                OffsetDateTime.ofInstant(clock.instant().plus(Duration.ofDays(6)), ZoneOffset.UTC)), Actor.SYSTEM);
        upkeep();
        assertThat(receiver.delivered(pat[0])).hasSize(2);
    }

    @Test
    void aFailedDeliveryIsTriedAgainOnTheNextRun() {
        upkeep(); // nothing else is due, so this test's warning is the first one tried
        receiver.status.set(500);
        try {
            String[] pat = pat(newUser(uniqueName("retry")), "flaky", Duration.ofDays(4));
            upkeep();
            assertThat(receiver.attempts(pat[0])).hasSize(1);
            assertThat(receiver.delivered(pat[0])).isEmpty();
            upkeep();
            assertThat(receiver.attempts(pat[0])).hasSize(2);

            receiver.status.set(200);
            upkeep();
            upkeep();
            assertThat(receiver.delivered(pat[0])).hasSize(1);
            assertThat(receiver.attempts(pat[0])).hasSize(3);
        } finally {
            receiver.status.set(204);
        }
    }

    @Test
    void twoNodesNeverBothSendAWarning() throws Exception {
        Http user = newUser(uniqueName("nodes"));
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            uuids.add(pat(user, "t" + i, Duration.ofDays(2).plusHours(i))[0]);
        }
        List<String> sent = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService nodes = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int node = 0; node < 2; node++) {
                ExpiryWarnings warnings = new ExpiryWarnings(server.wharf().database().jdbi(), clock);
                runs.add(nodes.submit(() -> {
                    start.await();
                    return warnings.send(w -> sent.add(w.credential().uuid().toString()));
                }));
            }
            start.countDown();
            for (Future<Integer> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            nodes.shutdownNow();
        }
        upkeep(); // waits for a scheduled run that may have sent some of them to the webhook
        for (String uuid : uuids) {
            long times = sent.stream().filter(uuid::equals).count() + receiver.delivered(uuid).size();
            assertThat(times).as(uuid).isEqualTo(1);
        }
    }

    @Test
    void theGaugeCountsWorkingCredentialsThatExpireWithinSevenDays() {
        upkeep();
        long before = gauge();
        Http user = newUser(uniqueName("gauge"));
        pat(user, "in three days", Duration.ofDays(3));
        pat(user, "in six days", Duration.ofDays(6));
        pat(user, "in thirty days", Duration.ofDays(30));
        String[] deleted = pat(user, "deleted", Duration.ofDays(3));
        assertThat(user.delete("/v2/access-tokens/" + deleted[0]).status()).isEqualTo(204);
        upkeep();
        assertThat(gauge()).isEqualTo(before + 2);
    }

    private long gauge() {
        Http.Response metrics = server.http().get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        String line = metrics.body().lines().filter(l -> l.startsWith("wharf_credentials_expiring_7d "))
                .findFirst().orElseThrow(() -> new AssertionError("no gauge in " + metrics.body()));
        assertThat(metrics.body()).contains("# TYPE wharf_credentials_expiring_7d gauge");
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
    }
}
