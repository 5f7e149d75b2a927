package dev.burrow.siblings;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Burrow's own requests to the host's Podman API, for what the gate must know before it
 * passes a session's request: who owns a container, a volume, an image. One request per
 * connection; answers are read whole (bounded).
 */
final class PodmanApi {
    static final String PREFIX = "/v4.0.0/libpod";
    private static final int MAX_ANSWER = 32 * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path socket;

    PodmanApi(Path socket) {
        this.socket = socket;
    }

    record Answer(int status, byte[] body) {
        boolean ok() {
            return status / 100 == 2;
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    Answer get(String pathAndQuery) throws IOException {
        return send("GET", pathAndQuery, null);
    }

    /** {@code target} is a whole request target (with its prefixes); {@code body} JSON or null. */
    Answer send(String method, String target, byte[] body) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(ch);
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: d\r\nConnection: close\r\n");
            if (body != null) head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) out.write(body);
            out.flush();
            return read(new BufferedInputStream(Channels.newInputStream(ch)));
        }
    }

    static Answer read(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.")) throw new IOException("Podman answered without a status line: " + status);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String h; !(h = line(in)).isEmpty(); ) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Long.parseLong(h.substring(15).strip());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long n; (n = Long.parseLong(line(in).split(";")[0].strip(), 16)) > 0; ) {
                body.write(bounded(in, n, body.size()));
                line(in);
            }
        } else if (length >= 0) {
            body.write(bounded(in, length, 0));
        } else {
            body.write(in.readNBytes(MAX_ANSWER));
        }
        return new Answer(code, body.toByteArray());
    }

    private static byte[] bounded(InputStream in, long n, int sofar) throws IOException {
        if (n + sofar > MAX_ANSWER) throw new IOException("Podman's answer is over 32 MiB");
        byte[] b = in.readNBytes((int) n);
        if (b.length < n) throw new IOException("Podman's answer ended early");
        return b;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') break;
            if (b != '\r') sb.append((char) b);
            if (sb.length() > 64 * 1024) throw new IOException("a line over 64 KiB from Podman");
        }
        return sb.toString();
    }
}
