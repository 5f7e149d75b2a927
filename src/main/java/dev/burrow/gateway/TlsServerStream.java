package dev.burrow.gateway;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The server side of a TLS connection over a pair of plain streams (a unix socket's, a
 * tunnel's), where {@link javax.net.ssl.SSLSocket} cannot be layered: the gateway answering
 * for a host whose credential it holds, with a leaf of Burrow's CA. HTTP/1.1 only (no ALPN
 * offered), so clients speak one request at a time.
 *
 * <p>Not thread-safe: one thread reads a request, then writes its answer, then reads the next.
 */
final class TlsServerStream implements AutoCloseable {
    private final SSLEngine engine;
    private final InputStream netIn;
    private final OutputStream netOut;
    private ByteBuffer netRead;
    private ByteBuffer appRead;
    private ByteBuffer netWrite;
    private boolean closed;

    TlsServerStream(SSLContext context, InputStream netIn, OutputStream netOut) {
        this.engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = engine.getSSLParameters();
        p.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(p);
        this.netIn = netIn;
        this.netOut = netOut;
        int packet = engine.getSession().getPacketBufferSize();
        netRead = ByteBuffer.allocate(packet);
        netRead.flip();
        appRead = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        appRead.flip();
        netWrite = ByteBuffer.allocate(packet);
    }

    /** Runs the handshake now (the client's hello is read); fails when the client gives up on Burrow's certificate. */
    void handshake() throws IOException {
        engine.beginHandshake();
        pump();
    }

    /** The handshake, closing the connection when it has not ended within {@code within} (a client that never says hello). */
    void handshake(java.time.Duration within) throws IOException {
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(within);
                closeQuietly(netIn);
                closeQuietly(netOut);
            } catch (InterruptedException done) {
                // the handshake ended in time
            }
        });
        try {
            handshake();
        } finally {
            deadline.interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing a connection that is gone already
        }
    }

    /** Advances the handshake until it needs application data, or the connection ends. */
    private void pump() throws IOException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrap(ByteBuffer.allocate(0));
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapOnce()) throw new EOFException("the client closed during the TLS handshake");
                }
                case NEED_TASK -> {
                    for (Runnable t; (t = engine.getDelegatedTask()) != null; ) t.run();
                }
                default -> {
                    return;
                }
            }
        }
    }

    private void wrap(ByteBuffer app) throws IOException {
        do {
            netWrite.clear();
            SSLEngineResult r = engine.wrap(app, netWrite);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netWrite = ByteBuffer.allocate(netWrite.capacity() * 2);
                continue;
            }
            netWrite.flip();
            netOut.write(netWrite.array(), 0, netWrite.limit());
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) break;
            if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                for (Runnable t; (t = engine.getDelegatedTask()) != null; ) t.run();
            }
        } while (app.hasRemaining() || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP);
        netOut.flush();
    }

    /** Unwraps one record into appRead (after what is unread there); false at the end of the stream. */
    private boolean unwrapOnce() throws IOException {
        while (true) {
            appRead.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netRead, appRead);
            } finally {
                appRead.flip();
            }
            switch (r.getStatus()) {
                case OK -> {
                    if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        for (Runnable t; (t = engine.getDelegatedTask()) != null; ) t.run();
                    }
                    return true;
                }
                case CLOSED -> {
                    return false;
                }
                case BUFFER_OVERFLOW -> {
                    ByteBuffer bigger = ByteBuffer.allocate(appRead.capacity() * 2);
                    bigger.put(appRead);
                    bigger.flip();
                    appRead = bigger;
                }
                case BUFFER_UNDERFLOW -> {
                    if (netRead.limit() == netRead.capacity() && netRead.position() == 0) {
                        ByteBuffer bigger = ByteBuffer.allocate(netRead.capacity() * 2);
                        bigger.put(netRead);
                        bigger.flip();
                        netRead = bigger;
                    }
                    netRead.compact();
                    int n;
                    try {
                        n = netIn.read(netRead.array(), netRead.position(), netRead.remaining());
                    } finally {
                        // position moves by what was read; flip back to reading mode either way
                    }
                    if (n < 0) {
                        netRead.flip();
                        return false;
                    }
                    netRead.position(netRead.position() + n);
                    netRead.flip();
                }
            }
        }
    }

    /** The decrypted bytes from the client. */
    InputStream in() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                while (!appRead.hasRemaining()) {
                    if (closed || !unwrapOnce()) return -1;
                    pump(); // a renegotiation or a post-handshake message may want an answer
                }
                int n = Math.min(len, appRead.remaining());
                appRead.get(b, off, n);
                return n;
            }
        };
    }

    /** Encrypts to the client; flushed at every flush (each write is at least one record). */
    OutputStream out() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (closed) throw new SSLException("the TLS connection is closed");
                wrap(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void flush() throws IOException {
                netOut.flush();
            }
        };
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            engine.closeOutbound();
            wrap(ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone already
        }
    }
}
