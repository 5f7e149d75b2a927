package dev.burrow.siblings;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A stand-in for the host's Podman API on a unix socket, for the gate's unit tests: it knows
 * a container of session s1 ("mine"), one of another session ("theirs"), their exec sessions,
 * volumes and images, and records every request that reaches it (head and body, de-chunked).
 */
final class StandInPodman implements AutoCloseable {
    static final String MINE = "a".repeat(64);
    static final String THEIRS = "b".repeat(64);
    static final String SESSION_CONTAINER = "c".repeat(64);
    /** The container of the session's build network (full policy). */
    static final String BUILD_NETWORK = "d".repeat(64);
    /** Session s1's build "app", under its own name. */
    static final String OWN_BUILT = "localhost/burrow-s-s1/localhost/app/burrow-session:latest";
    /** The shared image as session s1 tagged it "tagged". */
    static final String OWN_TAGGED = "localhost/burrow-s-s1/localhost/tagged/burrow-session:latest";
    /** The shared image as session s2 tagged it docker.io/library/alpine:3.19. */
    static final String THEIR_TAGGED = "localhost/burrow-s-s2/docker.io/library/alpine/burrow-session:3.19";
    final List<String> received = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;

    StandInPodman(Path socket) throws Exception {
        store = socket.getParent().resolve("storage");
        // Each image's configuration where Podman keeps it (ImageTriggers reads the ONBUILD triggers there); "triggered" has one.
        for (String id : List.of(SHARED_ID, MY_ID, OWN_ID, THEIR_ID)) config(id, "[]");
        config(TRIGGERED_ID, "[\"RUN --mount=type=bind,source=l,target=/h true\"]");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            while (true) {
                try {
                    SocketChannel c = server.accept();
                    Thread.ofVirtual().start(() -> serve(c));
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    static final String SHARED_ID = "1".repeat(64);
    static final String MY_ID = "2".repeat(64);
    static final String OWN_ID = "3".repeat(64);
    static final String THEIR_ID = "4".repeat(64);
    static final String TRIGGERED_ID = "5".repeat(64);
    private final Path store;

    private void config(String id, String onBuild) throws Exception {
        Path dir = java.nio.file.Files.createDirectories(store.resolve("overlay-images").resolve(id));
        java.nio.file.Files.writeString(dir.resolve("=" + java.util.Base64.getEncoder().encodeToString(("sha256:" + id).getBytes(StandardCharsets.US_ASCII))),
                "{\"config\":{\"OnBuild\":" + onBuild + "}}");
    }

    /** What reached Podman other than the gate's own lookups (GETs of a single object's json). */
    List<String> forwarded() {
        return received.stream().filter(r -> !r.startsWith("GET /v4.0.0/libpod/")).toList();
    }

    /** Serves requests on the connection as Podman does: on and on, until one says Connection: close. */
    private void serve(SocketChannel c) {
        try (c) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(c));
            while (serveOne(c, in)) {
                // keep-alive
            }
        } catch (Exception e) {
            // the client left
        }
    }

    private boolean serveOne(SocketChannel c, InputStream in) {
        try {
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            String text = "";
            while (!text.endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) return false;
                req.write(b);
                text = req.toString(StandardCharsets.ISO_8859_1);
            }
            var len = Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
            if (len.find()) {
                req.write(in.readNBytes(Integer.parseInt(len.group(1))));
            } else if (text.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                while (true) {
                    StringBuilder size = new StringBuilder();
                    for (int b; (b = in.read()) != '\r'; ) size.append((char) b);
                    in.read();
                    int n = Integer.parseInt(size.toString(), 16);
                    req.write(in.readNBytes(n));
                    in.read();
                    in.read();
                    if (n == 0) break;
                }
            }
            String request = req.toString(StandardCharsets.UTF_8);
            received.add(request);
            String line = request.substring(0, request.indexOf("\r\n"));
            if (line.matches("GET /v[\\d.]+/(libpod/)?events.*")) {
                // A quiet stream, as Podman's events are between events: the head, then nothing until the other side goes.
                Channels.newOutputStream(c).write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                while (in.read() >= 0) {
                    // nothing is sent on an events stream
                }
                received.add("events stream closed");
                return false;
            }
            String[] answer = answer(line);
            byte[] body = answer[1].getBytes(StandardCharsets.UTF_8);
            Channels.newOutputStream(c).write(("HTTP/1.1 " + answer[0] + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            Channels.newOutputStream(c).write(body);
            return !text.toLowerCase(Locale.ROOT).contains("connection: close");
        } catch (Exception e) {
            return false;
        }
    }

    private static String labelled(String session) {
        return "{\"" + SessionBox.LABEL + "\":\"" + session + "\"}";
    }

    private String[] answer(String line) {
        String p = line.split(" ")[1];
        String get = line.startsWith("GET ") ? p : "";
        if (get.matches("/v4.0.0/libpod/containers/(mine|a{64})/json")) {
            return new String[] {"200 OK", "{\"Id\":\"" + MINE + "\",\"Config\":{\"Labels\":" + labelled("s1") + "},\"Mounts\":[]}"};
        }
        if (get.matches("/v4.0.0/libpod/containers/(theirs|b{64})/json")) {
            return new String[] {"200 OK", "{\"Id\":\"" + THEIRS + "\",\"Config\":{\"Labels\":" + labelled("s2") + "}}"};
        }
        if (get.startsWith("/v4.0.0/libpod/containers/")) return new String[] {"404 Not Found", "{\"message\":\"no such container\"}"};
        if (get.matches("/v4.0.0/libpod/exec/[a-z0-9]+/json")) {
            String id = get.split("/")[4];
            return new String[] {"200 OK", "{\"ID\":\"" + id + "\",\"ContainerID\":\"" + (id.startsWith("m") ? MINE : THEIRS) + "\"}"};
        }
        if (get.matches("/v4.0.0/libpod/volumes/myvol/json")) return new String[] {"200 OK", "{\"Name\":\"myvol\",\"Labels\":" + labelled("s1") + "}"};
        if (get.matches("/v4.0.0/libpod/volumes/theirvol/json")) return new String[] {"200 OK", "{\"Name\":\"theirvol\",\"Labels\":" + labelled("s2") + "}"};
        if (get.startsWith("/v4.0.0/libpod/volumes/")) return new String[] {"404 Not Found", "{}"};
        if (get.startsWith("/v4.0.0/libpod/images/localhost/burrow-s-")) {
            // The session's own names: app, which it built, and tagged, a name it gave the shared image.
            String name = java.net.URLDecoder.decode(get.substring("/v4.0.0/libpod/images/".length()).replaceFirst("/json$", ""), StandardCharsets.UTF_8);
            if (name.equals(OWN_BUILT)) return new String[] {"200 OK", "{\"Id\":\"" + OWN_ID + "\",\"Labels\":" + labelled("s1") + "}"};
            if (name.equals(OWN_TAGGED)) return new String[] {"200 OK", "{\"Id\":\"" + SHARED_ID + "\",\"Labels\":{}}"};
            if (name.equals(THEIR_TAGGED)) return new String[] {"200 OK", "{\"Id\":\"" + SHARED_ID + "\",\"Labels\":{}}"};
            return new String[] {"404 Not Found", "{}"};
        }
        if (get.startsWith("/v4.0.0/libpod/images/")) {
            if (get.contains("theirimg")) return new String[] {"200 OK", "{\"Id\":\"" + THEIR_ID + "\",\"Labels\":" + labelled("s2") + "}"};
            if (get.contains("myimg")) return new String[] {"200 OK", "{\"Id\":\"" + MY_ID + "\",\"Labels\":" + labelled("s1") + "}"};
            if (get.contains("shared")) return new String[] {"200 OK", "{\"Id\":\"" + SHARED_ID + "\",\"Labels\":{}}"};
            if (get.contains("triggered")) return new String[] {"200 OK", "{\"Id\":\"" + TRIGGERED_ID + "\",\"Labels\":{}}"};
            return new String[] {"404 Not Found", "{}"};
        }
        if (get.equals("/v4.0.0/libpod/info")) {
            return new String[] {"200 OK", "{\"store\":{\"graphRoot\":\"" + store + "\",\"graphDriverName\":\"overlay\"}}"};
        }
        if (get.matches("/v[\\d.]+/libpod/containers/json.*|/containers/json.*")) {
            return new String[] {"200 OK", "[{\"Id\":\"" + MINE + "\",\"Labels\":" + labelled("s1") + "},{\"Id\":\"" + THEIRS + "\",\"Labels\":"
                    + labelled("s2") + "},{\"Id\":\"" + SESSION_CONTAINER + "\",\"Labels\":{\"burrow.session\":\"s1\"}}]"};
        }
        return new String[] {"200 OK", "{\"ok\":true}"};
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
