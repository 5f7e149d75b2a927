package dev.burrow.environment;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An environment's Containerfile built as a sibling's build is: uploaded, as Podman's API
 * takes it, to a session's guarded Podman socket (dev.burrow.siblings.SiblingSocket), which
 * takes the context apart, checks the Containerfile, and runs its steps under the session's
 * network policy. Burrow is the client here; nothing skips the gate.
 */
final class GuardedBuild {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private GuardedBuild() {
    }

    /**
     * Builds {@code context} (a tar) with {@code containerfile} (a path inside it); returns the image's
     * full id. Each line of the build's output goes to {@code progress}.
     */
    static String build(Path socket, Path context, String containerfile, String tag, Map<String, String> args, String target,
                        Consumer<String> progress) throws IOException {
        StringBuilder q = new StringBuilder("/v4.0.0/libpod/build?dockerfile=").append(enc(containerfile)).append("&t=").append(enc(tag))
                .append("&layers=true");
        if (!args.isEmpty()) q.append("&buildargs=").append(enc(JSON.writeValueAsString(args)));
        if (target != null && !target.isBlank()) q.append("&target=").append(enc(target));
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("POST " + q + " HTTP/1.1\r\nHost: d\r\nConnection: close\r\nContent-Type: application/x-tar\r\nContent-Length: "
                    + Files.size(context) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            Files.copy(context, out);
            out.flush();
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            String status = line(in);
            if (!status.startsWith("HTTP/1.") || status.length() < 12) throw new IOException("the session's Podman socket answered without a status: " + status);
            int code = Integer.parseInt(status.substring(9, 12));
            boolean chunked = false;
            for (String h; !(h = line(in)).isEmpty(); ) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
            InputStream body = chunked ? new Chunked(in) : in;
            if (code / 100 != 2) {
                String answer = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                String why = answer;
                try {
                    JsonNode n = JSON.readTree(answer);
                    if (n.has("message")) why = n.get("message").asText();
                    else if (n.has("cause")) why = n.get("cause").asText();
                } catch (RuntimeException ignored) {
                    // not JSON: said as it came
                }
                throw new EnvironmentException("the environment's build was refused: " + why.strip());
            }
            return read(body, progress);
        }
    }

    /** The build's stream of JSON objects: its lines to progress, its error thrown, its image id returned. */
    private static String read(InputStream body, Consumer<String> progress) throws IOException {
        String id = null;
        String error = null;
        StringBuilder pending = new StringBuilder();
        var values = JSON.readerFor(JsonNode.class).<JsonNode>readValues(body);
        while (values.hasNextValue()) {
            JsonNode n = values.nextValue();
            if (n == null || !n.isObject()) continue;
            if (n.hasNonNull("error")) error = n.get("error").asText();
            if (n.has("aux") && n.get("aux").hasNonNull("ID")) id = n.get("aux").get("ID").asText().replace("sha256:", "");
            if (n.hasNonNull("stream")) {
                pending.append(n.get("stream").asText());
                for (int nl; (nl = pending.indexOf("\n")) >= 0; ) {
                    String line = pending.substring(0, nl).strip();
                    pending.delete(0, nl + 1);
                    if (line.matches("[0-9a-f]{64}")) id = line;
                    else if (!line.isEmpty()) progress.accept(line);
                }
            }
        }
        if (error != null) throw new EnvironmentException("the environment's build failed: " + error.strip());
        if (id == null || !id.matches("[0-9a-f]{64}")) throw new EnvironmentException("the environment's build ended without an image");
        return id;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream sb = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') break;
            if (b != '\r') sb.write(b);
            if (sb.size() > 64 * 1024) throw new IOException("a line over 64 KiB from the session's Podman socket");
        }
        return sb.toString(StandardCharsets.ISO_8859_1);
    }

    /** A chunked body, read as a plain stream. */
    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) return -1;
            if (left == 0) {
                String size = line(in).split(";")[0].strip();
                if (size.isEmpty()) size = line(in).split(";")[0].strip();
                left = Long.parseLong(size, 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new IOException("the build's answer ended early");
            left -= n;
            if (left == 0) line(in);
            return n;
        }
    }
}
