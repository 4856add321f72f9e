package dev.wharf.webhooks;

import dev.wharf.core.JsonDocuments;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.ExpiryWarnings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts expiry warnings to the {@code --webhook-url} as JSON, signed with HMAC-SHA256 of the body under the
 * {@code --webhook-secret} in {@code X-Wharf-Signature: sha256=<hex>} (GitHub's webhook convention), so that the
 * receiver can tell them from forgeries. The body never holds a secret. A delivery gets a bounded time; one that
 * fails is logged without the URL (webhook URLs often embed a token) and tried again on the next run.
 */
public final class ExpiryWebhook implements ExpiryWarnings.Recipient {
    public static final String EVENT = "credential.expiring";
    public static final String SIGNATURE_HEADER = "X-Wharf-Signature";
    public static final String EVENT_HEADER = "X-Wharf-Event";
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryWebhook.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String HMAC = "HmacSHA256";

    private final URI url;
    private final SecretKeySpec key;
    private final Clock clock;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** @param secret the signing key, or null to send the warnings unsigned */
    public ExpiryWebhook(URI url, String secret, Clock clock) {
        this.url = url;
        this.key = secret == null || secret.isEmpty() ? null
                : new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC);
        this.clock = clock;
        if (key == null) {
            LOG.warn("no webhook secret is set: expiry warnings are sent unsigned");
        }
    }

    @Override
    public boolean deliver(ExpiryWarnings.Warning warning) {
        byte[] body = body(warning);
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "wharf-webhook")
                .header(EVENT_HEADER, EVENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header(SIGNATURE_HEADER, "sha256=" + sign(body));
        }
        String credential = warning.credential().uuid().toString();
        try {
            int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                return true;
            }
            LOG.warn("expiry warning for credential {} not delivered: the webhook answered {}", credential, status);
        } catch (IOException e) {
            LOG.warn("expiry warning for credential {} not delivered: {}", credential, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The warning as JSON: what the credential is and when it expires, never its secret. */
    private byte[] body(ExpiryWarnings.Warning warning) {
        Credential c = warning.credential();
        Map<String, Object> credential = new LinkedHashMap<>();
        credential.put("id", c.id());
        credential.put("uuid", c.uuid().toString());
        credential.put("kind", c.isRobot() ? "robot" : "personal");
        credential.put("name", c.name());
        credential.put("owner", c.ownerName());
        credential.put("expires_at", DateTimeFormatter.ISO_INSTANT.format(c.expiresAt()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("event", EVENT);
        out.put("warning_days", warning.days());
        out.put("days_left", warning.daysLeft());
        out.put("sent_at", DateTimeFormatter.ISO_INSTANT.format(Timestamps.now(clock)));
        out.put("credential", credential);
        try {
            return JsonDocuments.MAPPER.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a webhook body", e);
        }
    }

    private String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
