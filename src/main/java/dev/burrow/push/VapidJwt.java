package dev.burrow.push;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The Authorization header of a push (RFC 8292): a JWT signed with the install's VAPID key
 * (ES256, the signature as r || s), for the push service's origin, valid 12 hours, naming
 * whom to contact; and the public key it is checked with.
 */
public final class VapidJwt {
    static final Duration VALID = Duration.ofHours(12);

    private VapidJwt() {
    }

    /** {@code vapid t=JWT, k=KEY} for a push to {@code endpoint}. */
    public static String authorization(VapidKeys keys, URI endpoint, String subject, Instant now) throws GeneralSecurityException {
        return "vapid t=" + token(keys, endpoint, subject, now) + ", k=" + keys.publicKeyBase64Url();
    }

    static String token(VapidKeys keys, URI endpoint, String subject, Instant now) throws GeneralSecurityException {
        String audience = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.US_ASCII));
        String claims = b64.encodeToString(("{\"aud\":\"" + json(audience) + "\",\"exp\":" + now.plus(VALID).getEpochSecond() + ",\"sub\":\""
                + json(subject) + "\"}").getBytes(StandardCharsets.UTF_8));
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initSign(keys.privateKey());
        es256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + b64.encodeToString(es256.sign());
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
