package dev.burrow.push;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Sends one push to one subscription, as RFC 8030 has it: the message encrypted for the
 * browser ({@link PushEncryption}), signed for the push service ({@link VapidJwt}), with a
 * time to live and an urgency. A push service that no longer knows the subscription (404,
 * 410) says it is gone: the caller forgets it.
 */
public final class PushSender {
    /** A browser's subscription: where its push service takes messages for it, and its keys. */
    public record Subscription(URI endpoint, byte[] p256dh, byte[] auth) {
        public Subscription {
            Objects.requireNonNull(endpoint);
            boolean loopback = "http".equalsIgnoreCase(endpoint.getScheme()) && endpoint.getHost() != null
                    && (endpoint.getHost().equals("127.0.0.1") || endpoint.getHost().equals("localhost") || endpoint.getHost().equals("[::1]"));
            if (!"https".equalsIgnoreCase(endpoint.getScheme()) && !loopback) {
                throw new IllegalArgumentException("a push endpoint must be an https:// URL, not " + endpoint.getScheme());
            }
            if (p256dh.length != 65 || p256dh[0] != 4) throw new IllegalArgumentException("p256dh must be an uncompressed P-256 key (65 bytes)");
            if (auth.length != 16) throw new IllegalArgumentException("auth must be 16 bytes");
        }

        /** From a browser's PushSubscription JSON values: its keys base64url (padded or not, or plain base64). */
        public static Subscription parse(String endpoint, String p256dh, String auth) {
            return new Subscription(URI.create(endpoint), decode(p256dh, "keys.p256dh"), decode(auth, "keys.auth"));
        }

        private static byte[] decode(String value, String name) {
            try {
                return java.util.Base64.getUrlDecoder().decode(value.strip().replace('+', '-').replace('/', '_').replace("=", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " is not base64url");
            }
        }
    }

    /** How soon the push service should wake the device (RFC 8030 section 5.3). */
    public enum Urgency {
        VERY_LOW, LOW, NORMAL, HIGH;

        String header() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** What the push service said. */
    public sealed interface Outcome {
        record Delivered(int status) implements Outcome {
        }

        /** The subscription is gone (expired, or revoked in the browser): forget it. */
        record Gone(int status) implements Outcome {
        }

        record Failed(String reason) implements Outcome {
        }
    }

    private final VapidKeys keys;
    private final String subject;
    private final HttpClient http;
    private final Clock clock;

    /** {@code subject}: whom the push service may contact about these pushes (a mailto: or https: URL). */
    public PushSender(VapidKeys keys, String subject, HttpClient http, Clock clock) {
        this.keys = Objects.requireNonNull(keys);
        this.subject = Objects.requireNonNull(subject);
        this.http = Objects.requireNonNull(http);
        this.clock = Objects.requireNonNull(clock);
    }

    public Outcome send(Subscription s, byte[] payload, Duration ttl, Urgency urgency) {
        try {
            HttpRequest req = HttpRequest.newBuilder(s.endpoint()).timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Encoding", "aes128gcm")
                    .header("TTL", String.valueOf(Math.max(0, ttl.toSeconds())))
                    .header("Urgency", urgency.header())
                    .header("Authorization", VapidJwt.authorization(keys, s.endpoint(), subject, clock.instant()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(PushEncryption.encrypt(payload, s.p256dh(), s.auth())))
                    .build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404 || r.statusCode() == 410) return new Outcome.Gone(r.statusCode());
            if (r.statusCode() / 100 == 2) return new Outcome.Delivered(r.statusCode());
            String body = r.body() == null ? "" : r.body().strip();
            return new Outcome.Failed("the push service answered " + r.statusCode() + (body.isEmpty() ? "" : ": " + body.lines().findFirst().orElse("")));
        } catch (IOException | GeneralSecurityException e) {
            return new Outcome.Failed("the push could not be sent: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed("interrupted");
        }
    }
}
