package dev.burrow.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The start of a TLS connection through the egress proxy, read before any byte of it goes on:
 * the ClientHello, for the server name (SNI) it asks for. Under the allowlist policy the name
 * must be the host the tunnel was opened to, so that a listed host's address (a CDN's, say) is
 * not used to reach another site behind it.
 *
 * @param bytes what was read, to be sent on unchanged
 * @param tls   whether the connection starts as TLS at all (a handshake record)
 * @param serverName the SNI, when the ClientHello has one
 */
record TlsClientHello(byte[] bytes, boolean tls, Optional<String> serverName) {
    private static final int HANDSHAKE = 0x16;
    private static final int CLIENT_HELLO = 1;
    private static final int MAX_HELLO = 64 * 1024;

    /** Reads the first record(s), as much as the ClientHello takes; never more than 64 KiB. */
    static TlsClientHello read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int first = in.read();
        if (first < 0) return new TlsClientHello(new byte[0], false, Optional.empty());
        raw.write(first);
        if (first != HANDSHAKE) return new TlsClientHello(raw.toByteArray(), false, Optional.empty());
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        int type = first;
        while (true) {
            if (type != HANDSHAKE) return broken(raw);
            byte[] rest = in.readNBytes(4); // version, length
            raw.write(rest);
            if (rest.length < 4) return broken(raw);
            int len = length(rest, 2, 2);
            byte[] body = in.readNBytes(len);
            raw.write(body);
            handshake.write(body);
            if (body.length < len || raw.size() > MAX_HELLO) return broken(raw);
            byte[] h = handshake.toByteArray();
            if (h.length >= 4 && h.length >= 4 + length(h, 1, 3)) return new TlsClientHello(raw.toByteArray(), true, serverName(h));
            type = in.read(); // the ClientHello goes on in the next record
            if (type < 0) return broken(raw);
            raw.write(type);
        }
    }

    private static TlsClientHello broken(ByteArrayOutputStream raw) {
        return new TlsClientHello(raw.toByteArray(), true, Optional.empty());
    }

    private static int length(byte[] b, int off, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) v = v << 8 | (b[off + i] & 0xff);
        return v;
    }

    /** Moves past {@code n} bytes (the length is read before this is called: never in the same expression). */
    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }

    /** The host_name in a ClientHello's server_name extension (RFC 6066), or empty. */
    static Optional<String> serverName(byte[] handshake) {
        try {
            ByteBuffer b = ByteBuffer.wrap(handshake);
            if ((b.get() & 0xff) != CLIENT_HELLO) return Optional.empty();
            b.position(b.position() + 3 + 2 + 32); // length, client version, random
            skip(b, b.get() & 0xff); // session id
            skip(b, b.getShort() & 0xffff); // cipher suites
            skip(b, b.get() & 0xff); // compression methods
            int extensions = b.getShort() & 0xffff;
            int end = b.position() + extensions;
            while (b.position() + 4 <= end) {
                int type = b.getShort() & 0xffff;
                int len = b.getShort() & 0xffff;
                if (type != 0) {
                    skip(b, len);
                    continue;
                }
                b.getShort(); // the list's length
                if (b.get() != 0) return Optional.empty(); // host_name is the only name type there is
                byte[] name = new byte[b.getShort() & 0xffff];
                b.get(name);
                return Optional.of(new String(name, StandardCharsets.US_ASCII));
            }
        } catch (RuntimeException e) {
            // cut short or malformed: no name
        }
        return Optional.empty();
    }
}
