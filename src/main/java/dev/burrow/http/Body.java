package dev.burrow.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A request body as its head framed it: read whole (JSON Burrow checks) or carried on
 * (an upload), and written upstream with framing of Burrow's own. Chunks are decoded
 * strictly: hex sizes without extensions, CRLF where it belongs, no trailers.
 */
public final class Body {
    private Body() {
    }

    /** The whole body, at most {@code max} bytes. */
    public static byte[] readAll(RequestHead head, InputStream in, int max) throws IOException, Refusal {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copy(head, in, sink((b, off, len) -> {
            if (out.size() + len > max) throw new BodyTooLarge();
            out.write(b, off, len);
        }));
        return out.toByteArray();
    }

    /** Where decoded body bytes go, a run at a time. */
    public interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    public static OutputStream sink(Sink sink) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                sink.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                sink.write(b, off, len);
            }
        };
    }

    /** Thrown inside {@link #readAll} when a body outgrows its bound. */
    public static final class BodyTooLarge extends IOException {
        public BodyTooLarge() {
            super("request body too large", null);
        }
    }

    /** Copies the body's bytes (decoded from chunks) to {@code out}. */
    public static void copy(RequestHead head, InputStream in, OutputStream out) throws IOException, Refusal {
        copy(head.chunked(), head.length(), in, out);
    }

    /** Copies a body framed as chunks, or of {@code length} bytes (none when not above 0), decoded, to {@code out}. */
    public static void copy(boolean chunked, long length, InputStream in, OutputStream out) throws IOException, Refusal {
        if (chunked) {
            while (true) {
                long size = chunkSize(in);
                if (size == 0) {
                    crlf(in);
                    return;
                }
                copyExactly(in, out, size);
                crlf(in);
            }
        } else if (length > 0) {
            copyExactly(in, out, length);
        }
    }

    /** Copies the body upstream as chunks of Burrow's own framing, ending with the last chunk. */
    public static void forwardChunked(RequestHead head, InputStream in, OutputStream upstream) throws IOException, Refusal {
        forwardChunked(in, upstream);
    }

    /** As above, for a body that came in chunks. */
    public static void forwardChunked(InputStream in, OutputStream upstream) throws IOException, Refusal {
        copy(true, -1, in, sink((b, off, len) -> {
            if (len == 0) return;
            upstream.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            upstream.write(b, off, len);
            upstream.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }));
        upstream.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        upstream.flush();
    }

    private static long chunkSize(InputStream in) throws IOException, Refusal {
        StringBuilder hex = new StringBuilder();
        for (int b; ; ) {
            b = in.read();
            if (b < 0) throw Refusal.badRequest("the body ended inside a chunk size");
            if (b == '\r') break;
            if (Character.digit(b, 16) < 0 || hex.length() >= 12) throw Refusal.badRequest("a bad chunk size (no extensions, at most 12 hex digits)");
            hex.append((char) b);
        }
        if (in.read() != '\n' || hex.isEmpty()) throw Refusal.badRequest("a bad chunk size line");
        return Long.parseLong(hex.toString(), 16);
    }

    private static void crlf(InputStream in) throws IOException, Refusal {
        if (in.read() != '\r' || in.read() != '\n') throw Refusal.badRequest("a chunk not followed by CRLF (trailers are not accepted)");
    }

    private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException, Refusal {
        byte[] buf = new byte[(int) Math.min(64 * 1024, n)];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw Refusal.badRequest("the body ended before its length");
            out.write(buf, 0, r);
            n -= r;
        }
    }
}
