package dev.burrow.push;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A push service on this machine's loopback, with browsers subscribed to it: each device has an
 * endpoint URL here and its own keys (made like a browser makes them), so what Burrow posts is
 * the real protocol. Each delivery is decrypted with its device's keys and its VAPID token
 * checked against the install's public key; a device can be told to answer 410 (gone).
 */
public final class PushEndpoint implements AutoCloseable {
    /** One subscribed browser. */
    public record Device(String name, KeyPair keys, byte[] p256dh, byte[] auth, String endpoint) {
        /** Its PushSubscription as a browser's toJSON() gives it. */
        public String subscriptionJson() {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            return "{\"endpoint\":\"" + endpoint + "\",\"expirationTime\":null,\"keys\":{\"p256dh\":\"" + b64.encodeToString(p256dh)
                    + "\",\"auth\":\"" + b64.encodeToString(auth) + "\"}}";
        }
    }

    /** A push as it arrived: the device it was for, its plaintext, its headers, and the VAPID token's claims. */
    public record Delivery(String device, String payload, String urgency, String ttl, String claims, String vapidKey, String jwt, java.time.Instant at) {
    }

    private final HttpServer server;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    public PushEndpoint() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/push/", ex -> {
            try (ex) {
                String name = ex.getRequestURI().getPath().substring("/push/".length());
                byte[] body = ex.getRequestBody().readAllBytes();
                Device d = devices.get(name);
                int answer = answers.getOrDefault(name, 201);
                if (d != null && answer / 100 == 2) {
                    try {
                        String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
                        String jwt = auth.substring("vapid t=".length(), auth.indexOf(", k="));
                        String[] parts = jwt.split("\\.");
                        deliveries.add(new Delivery(name, new String(PushEncryptionTest.decrypt(body, d.keys(), d.p256dh(), d.auth()), StandardCharsets.UTF_8),
                                ex.getRequestHeaders().getFirst("Urgency"), ex.getRequestHeaders().getFirst("TTL"),
                                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8), auth.substring(auth.indexOf(", k=") + 4), jwt, java.time.Instant.now()));
                    } catch (Exception e) {
                        errors.add(name + ": " + e);
                    }
                }
                ex.sendResponseHeaders(answer, -1);
            }
        });
        server.start();
    }

    public Device subscribe(String name) throws Exception {
        KeyPair keys = VapidKeys.generate();
        byte[] auth = new byte[16];
        new SecureRandom().nextBytes(auth);
        Device d = new Device(name, keys, VapidKeys.uncompressed((ECPublicKey) keys.getPublic()), auth,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/push/" + name);
        devices.put(name, d);
        return d;
    }

    /** From now on the device's pushes are answered with {@code status} (410: the subscription is gone). */
    public void answer(String name, int status) {
        answers.put(name, status);
    }

    public List<Delivery> deliveries() {
        if (!errors.isEmpty()) throw new AssertionError("undecryptable or unsigned pushes: " + errors);
        return new ArrayList<>(deliveries);
    }

    /** The token is ES256 by the key it names, and that key is the one given ({@code GET /api/push/key}). */
    public static boolean signedBy(Delivery d, String publicKeyBase64Url) throws Exception {
        if (!d.vapidKey().equals(publicKeyBase64Url)) return false;
        String[] parts = d.jwt().split("\\.");
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initVerify(VapidKeys.publicKey(Base64.getUrlDecoder().decode(publicKeyBase64Url)));
        es256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return es256.verify(Base64.getUrlDecoder().decode(parts[2]));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
