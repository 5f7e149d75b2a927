package dev.burrow.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A push as its browser reads it: decrypted here with nothing but the subscription's own keys,
 * by the receiving side of RFC 8291 written out again (not Burrow's code); and the VAPID
 * header checked as a push service checks it.
 */
class PushEncryptionTest {
    @TempDir
    Path tmp;

    @Test
    void aPushDecryptsWithTheSubscriptionsKeysAloneAndWithNoOthers() throws Exception {
        KeyPair browser = VapidKeys.generate();
        byte[] auth = new byte[16];
        new SecureRandom().nextBytes(auth);
        byte[] p256dh = VapidKeys.uncompressed((ECPublicKey) browser.getPublic());
        String message = "{\"title\":\"Turn ended\",\"session\":\"4f1c2a9e\"}";
        byte[] body = PushEncryption.encrypt(message.getBytes(StandardCharsets.UTF_8), p256dh, auth);
        assertThat(new String(decrypt(body, browser, p256dh, auth), StandardCharsets.UTF_8)).isEqualTo(message);

        // Another browser's keys, or the right key with another auth secret, read nothing.
        KeyPair other = VapidKeys.generate();
        assertThatThrownBy(() -> decrypt(body, other, VapidKeys.uncompressed((ECPublicKey) other.getPublic()), auth)).isInstanceOf(AEADBadTagException.class);
        byte[] wrongAuth = auth.clone();
        wrongAuth[0] ^= 1;
        assertThatThrownBy(() -> decrypt(body, browser, p256dh, wrongAuth)).isInstanceOf(AEADBadTagException.class);
        // Each message has its own sender key and salt: the same text twice is two different bodies.
        assertThat(PushEncryption.encrypt(message.getBytes(StandardCharsets.UTF_8), p256dh, auth)).isNotEqualTo(body);
        assertThatThrownBy(() -> PushEncryption.encrypt(new byte[PushEncryption.MAX_PAYLOAD + 1], p256dh, auth)).hasMessageContaining("at most");
    }

    @Test
    void theVapidHeaderIsSignedByTheInstallsKeyForThePushServicesOrigin() throws Exception {
        VapidKeys keys = VapidKeys.loadOrCreate(tmp.resolve("push"));
        Instant now = Instant.parse("2026-11-30T08:00:00Z");
        String header = VapidJwt.authorization(keys, URI.create("https://push.example.net:8443/wp/abc?x=1"), "mailto:burrow@localhost", now);
        assertThat(header).startsWith("vapid t=").contains(", k=" + keys.publicKeyBase64Url());
        String jwt = header.substring("vapid t=".length(), header.indexOf(", k="));
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        Base64.Decoder b64 = Base64.getUrlDecoder();
        // Checked with the key the header names, as the push service does.
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initVerify(VapidKeys.publicKey(b64.decode(header.substring(header.indexOf(", k=") + 4))));
        es256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(es256.verify(b64.decode(parts[2]))).isTrue();
        JsonNode h = JsonMapper.builder().build().readTree(b64.decode(parts[0]));
        JsonNode claims = JsonMapper.builder().build().readTree(b64.decode(parts[1]));
        assertThat(h.path("alg").asString()).isEqualTo("ES256");
        assertThat(claims.path("aud").asString()).isEqualTo("https://push.example.net:8443");
        assertThat(claims.path("exp").asLong()).isEqualTo(now.getEpochSecond() + 12 * 3600);
        assertThat(claims.path("sub").asString()).isEqualTo("mailto:burrow@localhost");
    }

    @Test
    void theKeysAreMadeOnceOwnerOnlyAndReadBackTheSame() throws Exception {
        VapidKeys first = VapidKeys.loadOrCreate(tmp.resolve("push"));
        VapidKeys again = VapidKeys.loadOrCreate(tmp.resolve("push"));
        assertThat(again.publicKeyBase64Url()).isEqualTo(first.publicKeyBase64Url());
        assertThat(Base64.getUrlDecoder().decode(first.publicKeyBase64Url())).hasSize(65).startsWith((byte) 4);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("push/vapid.key")))).isEqualTo("rw-------");
    }

    /** The receiving side of RFC 8291 and RFC 8188, written out from the RFCs. */
    static byte[] decrypt(byte[] body, KeyPair browser, byte[] p256dh, byte[] auth) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        b.get(salt);
        int rs = b.getInt();
        byte[] keyId = new byte[b.get() & 0xff];
        b.get(keyId);
        byte[] sealed = new byte[b.remaining()];
        b.get(sealed);
        assertThat(rs).isGreaterThanOrEqualTo(sealed.length);
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(browser.getPrivate());
        ka.doPhase(VapidKeys.publicKey(keyId), true);
        byte[] ecdh = ka.generateSecret();
        byte[] prkKey = hmac(auth, ecdh);
        byte[] ikm = Arrays.copyOf(hmac(prkKey, join("WebPush: info".getBytes(StandardCharsets.US_ASCII), new byte[] {0}, p256dh, keyId, new byte[] {1})), 32);
        byte[] prk = hmac(salt, ikm);
        byte[] cek = Arrays.copyOf(hmac(prk, join("Content-Encoding: aes128gcm".getBytes(StandardCharsets.US_ASCII), new byte[] {0, 1})), 16);
        byte[] nonce = Arrays.copyOf(hmac(prk, join("Content-Encoding: nonce".getBytes(StandardCharsets.US_ASCII), new byte[] {0, 1})), 12);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] padded = gcm.doFinal(sealed);
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) end--;
        assertThat(padded[end]).as("the last record's delimiter").isEqualTo((byte) 2);
        return Arrays.copyOf(padded, end);
    }

    static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    static byte[] join(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }
}
