package dev.burrow.push;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message encryption for Web Push (RFC 8291, with the aes128gcm content coding of RFC 8188):
 * a fresh sender key per message, ECDH with the subscription's p256dh key, HKDF-SHA256 with
 * its auth secret, one AES-128-GCM record. Only the browser that subscribed can read it; the
 * push service in between sees its length alone. The JDK's own crypto, no library.
 */
public final class PushEncryption {
    /** The record size put in the header: one record holds the whole message. */
    static final int RECORD_SIZE = 4096;
    /** The most a message may carry: a record less its padding delimiter and the GCM tag. */
    public static final int MAX_PAYLOAD = RECORD_SIZE - 17;

    private PushEncryption() {
    }

    /** The body to POST to the subscription's endpoint (Content-Encoding: aes128gcm). */
    public static byte[] encrypt(byte[] payload, byte[] uaPublic, byte[] authSecret) throws GeneralSecurityException {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return encrypt(payload, uaPublic, authSecret, VapidKeys.generate(), salt);
    }

    /** The same with the sender's key pair and the salt given (for the RFC's worked example). */
    static byte[] encrypt(byte[] payload, byte[] uaPublic, byte[] authSecret, KeyPair sender, byte[] salt) throws GeneralSecurityException {
        if (payload.length > MAX_PAYLOAD) throw new IllegalArgumentException("a push message carries at most " + MAX_PAYLOAD + " bytes");
        if (authSecret.length != 16) throw new GeneralSecurityException("the subscription's auth secret must be 16 bytes");
        byte[] asPublic = VapidKeys.uncompressed((ECPublicKey) sender.getPublic());
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(sender.getPrivate());
        ka.doPhase(VapidKeys.publicKey(uaPublic), true);
        byte[] ecdh = ka.generateSecret();
        Keys k = keys(ecdh, authSecret, uaPublic, asPublic, salt);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k.cek(), "AES"), new GCMParameterSpec(128, k.nonce()));
        byte[] padded = Arrays.copyOf(payload, payload.length + 1);
        padded[payload.length] = 2; // the last (and only) record's delimiter
        byte[] sealed = gcm.doFinal(padded);
        return ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + sealed.length)
                .put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic).put(sealed).array();
    }

    /** The content-encryption key and nonce, as both ends derive them. */
    record Keys(byte[] cek, byte[] nonce) {
    }

    static Keys keys(byte[] ecdh, byte[] authSecret, byte[] uaPublic, byte[] asPublic, byte[] salt) throws GeneralSecurityException {
        byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
        byte[] ikm = expand(hmac(authSecret, ecdh), keyInfo, 32);
        byte[] prk = hmac(salt, ikm);
        return new Keys(expand(prk, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16),
                expand(prk, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12));
    }

    /** HKDF-Expand for at most one block (32 bytes): all Web Push needs. */
    static byte[] expand(byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        return Arrays.copyOf(hmac(prk, concat(info, new byte[] {1})), length);
    }

    static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }
}
