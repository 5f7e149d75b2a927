package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelForwarderTest {
    @TempDir
    Path tmp;

    @Test
    void everyConnectionGoesToTheOneEndpointWhateverItAsksFor() throws Exception {
        com.sun.net.httpserver.HttpServer model = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        model.createContext("/", x -> {
            byte[] body = ("model saw " + x.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        model.start();
        Path socket = tmp.resolve("model.sock");
        try (ModelForwarder f = ModelForwarder.start("session-1", socket, "127.0.0.1", model.getAddress().getPort());
             SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            // A request naming another host still reaches only the model endpoint.
            Channels.newOutputStream(ch).write("GET /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:7070\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("model saw /v1/messages");
            assertThat(java.nio.file.Files.getPosixFilePermissions(socket)).hasSize(2); // rw-------
        } finally {
            model.stop(0);
        }
        assertThat(socket).doesNotExist();
    }
}
