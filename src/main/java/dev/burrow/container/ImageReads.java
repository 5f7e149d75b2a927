package dev.burrow.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Burrow's own reads of images through the user's Podman API socket, when its service already
 * answers: an image's inspect in a few milliseconds, where a `podman image inspect` process takes
 * a tenth of a second or more (three of them stood before every environment's start). HTTP/1.0,
 * one request a connection, the answer read to its end (bounded): no chunked bodies to take apart.
 */
final class ImageReads {
    private static final int MAX_ANSWER = 4 * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ImageReads() {
    }

    /**
     * The image's inspect, empty when Podman has no such image; an IOException for anything
     * else (no answer, another status), so that the caller asks the CLI instead.
     */
    static Optional<JsonNode> inspect(Path socket, String image) throws IOException {
        // Names and ids as Burrow has them (localhost/burrow-env:KEY, a 64-hex id); Podman's route takes the rest of the path as the name.
        if (!image.matches("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,255}") || image.contains("..")) throw new IOException("not a name to put in a URL: " + image);
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("GET /v4.0.0/libpod/images/" + image + "/json HTTP/1.0\r\nHost: d\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] answer = readAll(Channels.newInputStream(ch));
            String text = new String(answer, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || end < 0) throw new IOException("not an HTTP answer");
            int status = Integer.parseInt(text.substring(9, 12));
            if (status == 404) return Optional.empty();
            if (status != 200) throw new IOException("Podman answered " + status);
            JsonNode n = JSON.readTree(new String(answer, end + 4, answer.length - end - 4, StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) throw new IOException("not an image's inspect");
            return Optional.of(n);
        } catch (NumberFormatException | tools.jackson.core.JacksonException e) {
            throw new IOException("cannot read Podman's answer: " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            b.write(buf, 0, n);
            if (b.size() > MAX_ANSWER) throw new IOException("Podman's answer is over " + MAX_ANSWER + " bytes");
        }
        return b.toByteArray();
    }
}
