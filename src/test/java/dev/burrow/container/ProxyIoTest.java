package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyIoTest {
    @TempDir
    Path tmp;

    @Test
    void aDoorServesAtMostItsShareAtOnceAndClosesItsConversationsWithIt() throws Exception {
        Path sock = tmp.resolve("door.sock");
        ServerSocketChannel server = ProxyIo.listen(sock);
        CountDownLatch release = new CountDownLatch(1);
        // Each connection is held open until released, as a slow client would hold it.
        ProxyIo.Connections open = ProxyIo.acceptOn(server, "test-door", () -> false, c -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 3);
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) clients.add(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
        // The fourth is closed at once: reading it ends.
        assertThat(clients.get(3).read(ByteBuffer.allocate(1))).isEqualTo(-1);
        ProxyIo.close(server, sock, open);
        for (SocketChannel c : clients.subList(0, 3)) assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        release.countDown();
        for (SocketChannel c : clients) c.close();
        assertThat(sock).doesNotExist();
    }
}
