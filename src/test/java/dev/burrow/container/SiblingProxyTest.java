package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The labelling proxy against a stand-in upstream socket that records what reaches it. */
class SiblingProxyTest {
    @TempDir
    Path tmp;
    final List<String> received = new CopyOnWriteArrayList<>();
    ServerSocketChannel upstream;
    SiblingProxy proxy;

    @BeforeEach
    void start() throws Exception {
        Path up = tmp.resolve("up.sock");
        upstream = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        upstream.bind(UnixDomainSocketAddress.of(up));
        Thread.ofVirtual().start(() -> {
            while (true) {
                try (SocketChannel c = upstream.accept()) {
                    InputStream in = Channels.newInputStream(c);
                    ByteArrayOutputStream req = new ByteArrayOutputStream();
                    // The stand-in reads the head, then the body its Content-Length announces.
                    String text = "";
                    while (!text.contains("\r\n\r\n")) {
                        req.write(in.read());
                        text = req.toString(StandardCharsets.ISO_8859_1);
                    }
                    var m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
                    if (m.find()) req.write(in.readNBytes(Integer.parseInt(m.group(1))));
                    received.add(req.toString(StandardCharsets.UTF_8));
                    Channels.newOutputStream(c).write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    return;
                }
            }
        });
        proxy = SiblingProxy.start("session-1", tmp.resolve("p/podman.sock"), () -> java.util.Optional.of(up));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    private String send(String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("p/podman.sock")))) {
            Channels.newOutputStream(c).write(request.getBytes(StandardCharsets.UTF_8));
            return new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + body;
    }

    @Test
    void containersCreatedThroughItCarryTheSessionLabelInBothApis() throws Exception {
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\",\"labels\":{\"mine\":\"1\"}}"))).endsWith("ok");
        assertThat(send(post("/v1.41/containers/create?name=web", "{\"Image\":\"x\"}"))).endsWith("ok");
        assertThat(received.get(0)).contains("\"labels\":{\"mine\":\"1\",\"burrow.sibling-of\":\"session-1\"}").contains("Connection: close");
        assertThat(received.get(1)).contains("\"Labels\":{\"burrow.sibling-of\":\"session-1\"}");
        String head = received.get(1).substring(0, received.get(1).indexOf("\r\n\r\n"));
        String body = received.get(1).substring(received.get(1).indexOf("\r\n\r\n") + 4);
        assertThat(head).contains("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void everythingElsePassesThroughUnchanged() throws Exception {
        assertThat(send("GET /v4.3.1/libpod/containers/json HTTP/1.1\r\nHost: d\r\nConnection: keep-alive\r\n\r\n")).endsWith("ok");
        assertThat(send(post("/v4.3.1/libpod/containers/abc/start", "{}"))).endsWith("ok");
        assertThat(received.get(0)).startsWith("GET /v4.3.1/libpod/containers/json HTTP/1.1\r\n").doesNotContain("keep-alive").doesNotContain("sibling");
        assertThat(received.get(1)).endsWith("\r\n\r\n{}").doesNotContain("sibling");
    }
}
