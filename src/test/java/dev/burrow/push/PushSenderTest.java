package dev.burrow.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push delivered to a push endpoint that is a local HTTP listener: the subscription's URL is
 * the listener's, so what arrives is what a push service would get. It is decrypted with the
 * subscription's keys and its VAPID header checked; a push service's 410 says the subscription is gone.
 */
class PushSenderTest {
    @TempDir
    Path tmp;
    HttpServer endpoint;
    final List<Map<String, String>> heads = new CopyOnWriteArrayList<>();
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    final AtomicInteger status = new AtomicInteger(201);

    @BeforeEach
    void start() throws Exception {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        endpoint.createContext("/push/", ex -> {
            try (ex) {
                heads.add(Map.of("authorization", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")),
                        "ttl", String.valueOf(ex.getRequestHeaders().getFirst("TTL")), "urgency", String.valueOf(ex.getRequestHeaders().getFirst("Urgency")),
                        "encoding", String.valueOf(ex.getRequestHeaders().getFirst("Content-Encoding")), "path", ex.getRequestURI().getPath()));
                bodies.add(ex.getRequestBody().readAllBytes());
                ex.sendResponseHeaders(status.get(), -1);
            }
        });
        endpoint.start();
    }

    @AfterEach
    void stop() {
        endpoint.stop(0);
    }

    @Test
    void aPushArrivesEncryptedForTheSubscriptionAndSignedByTheInstall() throws Exception {
        VapidKeys keys = VapidKeys.loadOrCreate(tmp.resolve("push"));
        KeyPair browser = VapidKeys.generate();
        byte[] auth = new byte[16];
        new SecureRandom().nextBytes(auth);
        byte[] p256dh = VapidKeys.uncompressed((ECPublicKey) browser.getPublic());
        URI url = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/push/device-1");
        Instant now = Instant.parse("2026-11-30T09:00:00Z");
        PushSender sender = new PushSender(keys, "mailto:burrow@localhost", HttpClient.newHttpClient(), Clock.fixed(now, ZoneOffset.UTC));
        String message = "{\"title\":\"burrow/4f1c2a9e: the turn ended\",\"url\":\"/sessions/4f1c2a9e\"}";

        PushSender.Outcome sent = sender.send(new PushSender.Subscription(url, p256dh, auth), message.getBytes(StandardCharsets.UTF_8),
                Duration.ofHours(1), PushSender.Urgency.HIGH);
        assertThat(sent).isEqualTo(new PushSender.Outcome.Delivered(201));
        Map<String, String> head = heads.getFirst();
        assertThat(head).containsEntry("ttl", "3600").containsEntry("urgency", "high").containsEntry("encoding", "aes128gcm")
                .containsEntry("path", "/push/device-1");
        assertThat(new String(PushEncryptionTest.decrypt(bodies.getFirst(), browser, p256dh, auth), StandardCharsets.UTF_8)).isEqualTo(message);
        // The VAPID token: for the endpoint's origin, checked with the key it names.
        String authorization = head.get("authorization");
        String jwt = authorization.substring("vapid t=".length(), authorization.indexOf(", k="));
        String[] parts = jwt.split("\\.");
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initVerify(keys.publicKey());
        es256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(es256.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        assertThat(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8))
                .contains("\"aud\":\"http://127.0.0.1:" + endpoint.getAddress().getPort() + "\"");

        // A push service that no longer knows the subscription: gone, to be forgotten.
        status.set(410);
        assertThat(sender.send(new PushSender.Subscription(url, p256dh, auth), new byte[] {1}, Duration.ZERO, PushSender.Urgency.LOW))
                .isEqualTo(new PushSender.Outcome.Gone(410));
        status.set(500);
        assertThat(sender.send(new PushSender.Subscription(url, p256dh, auth), new byte[] {1}, Duration.ZERO, PushSender.Urgency.LOW))
                .isInstanceOf(PushSender.Outcome.Failed.class);
    }

    @Test
    void aSubscriptionMustBeHttpsOrThisMachinesLoopbackWithKeysOfTheRightSize() {
        byte[] key = new byte[65];
        key[0] = 4;
        assertThatThrownBy(() -> new PushSender.Subscription(URI.create("http://push.example.net/x"), key, new byte[16])).hasMessageContaining("https://");
        assertThatThrownBy(() -> new PushSender.Subscription(URI.create("https://push.example.net/x"), new byte[64], new byte[16])).hasMessageContaining("p256dh");
        assertThatThrownBy(() -> new PushSender.Subscription(URI.create("https://push.example.net/x"), key, new byte[8])).hasMessageContaining("auth");
    }
}
