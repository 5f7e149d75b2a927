package dev.burrow.siblings;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes a plain POSIX tar: directories, regular files and symbolic links; names too long for the header go in PAX records. */
public final class TarWriter {
    private final OutputStream out;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String path, int mode, long mtime) throws IOException {
        header(path + "/", '5', mode == 0 ? 0755 : mode, mtime, 0, "");
    }

    public void symlink(String path, String target, long mtime) throws IOException {
        header(path, '2', 0777, mtime, 0, target);
    }

    /** A regular file of {@code size} bytes read from {@code data}. */
    public void file(String path, int mode, long mtime, long size, InputStream data) throws IOException {
        header(path, '0', mode, mtime, size, "");
        long left = size;
        byte[] buf = new byte[64 * 1024];
        while (left > 0) {
            int n = data.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new IOException("the build context ended inside " + path);
            out.write(buf, 0, n);
            left -= n;
        }
        pad(size);
    }

    public void finish() throws IOException {
        out.write(new byte[1024]);
        out.flush();
    }

    private void header(String path, char type, int mode, long mtime, long size, String link) throws IOException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        byte[] target = link.getBytes(StandardCharsets.UTF_8);
        if (name.length > 100 || target.length > 100 || !ascii(path) || !ascii(link)) {
            StringBuilder records = new StringBuilder();
            if (name.length > 100 || !ascii(path)) records.append(record("path", path));
            if (target.length > 100 || !ascii(link)) records.append(record("linkpath", link));
            byte[] pax = records.toString().getBytes(StandardCharsets.UTF_8);
            raw("PaxHeader".getBytes(StandardCharsets.US_ASCII), 'x', 0644, mtime, pax.length, new byte[0]);
            out.write(pax);
            pad(pax.length);
        }
        raw(name.length > 100 ? "long-name".getBytes(StandardCharsets.US_ASCII) : name, type, mode, mtime, size, target.length > 100 ? new byte[0] : target);
    }

    private void raw(byte[] name, char type, int mode, long mtime, long size, byte[] link) throws IOException {
        byte[] h = new byte[512];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        put(h, 100, 8, mode);
        put(h, 108, 8, 0);
        put(h, 116, 8, 0);
        put(h, 124, 12, size);
        put(h, 136, 12, Math.max(0, mtime));
        h[156] = (byte) type;
        System.arraycopy(link, 0, h, 157, Math.min(100, link.length));
        byte[] magic = "ustar\00000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, 8);
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        byte[] cs = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(cs, 0, h, 148, 8);
        out.write(h);
    }

    private static void put(byte[] h, int off, int len, long value) {
        byte[] digits = String.format("%0" + (len - 1) + "o", value).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, h, off, len - 1);
    }

    private void pad(long size) throws IOException {
        out.write(new byte[(int) ((512 - size % 512) % 512)]);
    }

    private static String record(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.getBytes(StandardCharsets.UTF_8).length;
        int total = len + String.valueOf(len).length();
        if (String.valueOf(total).length() != String.valueOf(len).length()) total++;
        return total + body;
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }
}
