package dev.burrow.gateway;

import dev.burrow.http.StatusLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** How the gateways answer the container: the real API's answers passed on as they arrive, and their own. */
final class Answers {
    // Never passed on as they came: they describe a hop, not the answer.
    static final Set<String> HOP = Set.of("host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
            "te", "trailer", "upgrade", "transfer-encoding", "content-length", "accept-encoding", "expect", "http2-settings");

    /**
     * Request headers the gateways never send on with a credential: what some servers read as the
     * method instead of the request line's, and claims about where the request came from.
     */
    private static final Set<String> NOT_FORWARDED = Set.of("x-http-method-override", "x-http-method", "x-method-override", "forwarded", "x-real-ip",
            "x-original-url", "x-rewrite-url", "x-host", "x-http-host-override");

    /** Whether a request header (lower case) is kept from the real API: routing claims, method overrides, this hop's own. */
    static boolean notForwarded(String name) {
        return NOT_FORWARDED.contains(name) || name.startsWith("x-forwarded-") || name.startsWith("x-original-") || name.startsWith("proxy-");
    }

    private Answers() {
    }

    /** Sees an answer's body pass. {@link #complete} is called once: before its last chunk is written, or after it broke off. */
    interface Tap {
        void bytes(byte[] b, int off, int len);

        void complete();
    }

    /** The answer's head, then its body in chunks as they arrive, each flushed at once. */
    static void relay(String method, HttpResponse<InputStream> answer, OutputStream out, boolean close, Tap tap) throws IOException {
        int status = answer.statusCode();
        boolean bodyless = method.equals("HEAD") || status == 204 || status == 304 || status < 200;
        StringBuilder h = new StringBuilder(StatusLine.of(status)).append("\r\n");
        for (Map.Entry<String, List<String>> e : answer.headers().map().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(":") || HOP.contains(name)) continue;
            for (String v : e.getValue()) h.append(e.getKey()).append(": ").append(v).append("\r\n");
        }
        if (!bodyless) h.append("Transfer-Encoding: chunked\r\n");
        if (close) h.append("Connection: close\r\n");
        out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        boolean completed = tap == null;
        try (InputStream body = answer.body()) {
            if (bodyless) {
                out.flush();
                return;
            }
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = body.read(buf)) >= 0; ) {
                if (n == 0) continue;
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(buf, 0, n);
                out.write('\r');
                out.write('\n');
                out.flush();
                if (tap != null) tap.bytes(buf, 0, n);
            }
            // Seen whole before the client sees the end: what it asks next finds it recorded.
            completed = true;
            if (tap != null) tap.complete();
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } finally {
            if (!completed) tap.complete();
        }
    }

    /** An answer of Burrow's own as one line of text, which git and curl show. */
    static void plain(OutputStream out, int status, String message, boolean close) throws IOException {
        own(out, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8), close);
    }

    /** An answer of Burrow's own in GitHub's API error format ({"message": ...}), which gh shows as "HTTP 403: message". */
    static void apiError(OutputStream out, int status, String message) throws IOException {
        StringBuilder json = new StringBuilder("{\"message\":\"");
        for (char c : message.toCharArray()) {
            if (c == '"' || c == '\\') json.append('\\').append(c);
            else if (c < 0x20) json.append(' ');
            else json.append(c);
        }
        own(out, status, "application/json; charset=utf-8", json.append("\"}").toString().getBytes(StandardCharsets.UTF_8), true);
    }

    static void own(OutputStream out, int status, String type, byte[] body, boolean close) throws IOException {
        out.write((StatusLine.of(status) + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }
}
