package dev.burrow.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request's body as its head framed it, decoded as it is read (a length, or chunks read as
 * strictly as {@link Body} reads them), so a large upload is passed on without being held.
 * It ends where the body ends; the connection's stream is left at the next request.
 */
public final class BodyStream extends InputStream {
    private final InputStream in;
    private final boolean chunked;
    private long left;
    private boolean done;
    private volatile boolean overrun;

    public BodyStream(RequestHead head, InputStream in) {
        this.in = in;
        this.chunked = head.chunked();
        this.left = head.chunked() ? 0 : Math.max(0, head.length());
        this.done = !head.chunked() && left == 0;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (done) return -1;
        if (left == 0) {
            // chunked: the next chunk's size (after the CRLF that ended the last one)
            left = nextChunk();
            if (left == 0) {
                done = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) throw new IOException("the request body ended before its length");
        left -= n;
        if (left == 0) {
            if (!chunked) done = true;
            else crlf();
        }
        return n;
    }

    private long nextChunk() throws IOException {
        StringBuilder hex = new StringBuilder();
        for (int b; ; ) {
            b = in.read();
            if (b < 0) throw new IOException("the body ended inside a chunk size");
            if (b == '\r') break;
            if (Character.digit(b, 16) < 0 || hex.length() >= 12) throw new IOException("a bad chunk size (no extensions, at most 12 hex digits)");
            hex.append((char) b);
        }
        if (in.read() != '\n' || hex.isEmpty()) throw new IOException("a bad chunk size line");
        long size = Long.parseLong(hex.toString(), 16);
        if (size == 0) crlf();
        return size;
    }

    private void crlf() throws IOException {
        if (in.read() != '\r' || in.read() != '\n') throw new IOException("a chunk not followed by CRLF (trailers are not accepted)");
    }

    /** Whether the whole body has been read. */
    public boolean finished() {
        return done;
    }

    /** Marks the body as cut off for being too large (by whoever bounds it). */
    public void overrun() {
        overrun = true;
    }

    /** Whether the body was cut off for being too large. */
    public boolean overran() {
        return overrun;
    }

    /** Reads what is left of the body and drops it, so the next request can be read. */
    public void drain() throws IOException {
        drain(Long.MAX_VALUE);
    }

    /** Reads and drops at most {@code max} more bytes; whether the body ended within them. */
    public boolean drain(long max) throws IOException {
        byte[] buf = new byte[16 * 1024];
        long dropped = 0;
        for (int n; (n = read(buf, 0, buf.length)) >= 0; ) {
            if ((dropped += n) > max) return false;
        }
        return true;
    }
}
