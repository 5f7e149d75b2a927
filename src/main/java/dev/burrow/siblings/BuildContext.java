package dev.burrow.siblings;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A build's uploaded context, held in a private temp file until its Containerfiles are read:
 * a build runs on the host's Podman, which fetches what a Containerfile names (ADD from a URL,
 * FROM an image) on the host's network, so Burrow reads them before Podman gets a byte. The
 * context is a tar, gzip-compressed or not (Podman's client compresses, Docker's does not).
 */
final class BuildContext implements AutoCloseable {
    static final long MAX_CONTEXT = 2L * 1024 * 1024 * 1024;
    private static final int MAX_CONTAINERFILE = 1024 * 1024;

    private final Path file;

    private BuildContext(Path file) {
        this.file = file;
    }

    /** Reads the request's whole body into a temp file of Burrow's (owner-only). */
    static BuildContext spool(RequestHead head, InputStream in) throws IOException, Refusal {
        Path f = Files.createTempFile("burrow-build-", ".ctx");
        try (OutputStream out = Files.newOutputStream(f)) {
            long[] n = {0};
            Body.copy(head, in, Body.sink((b, off, len) -> {
                n[0] += len;
                if (n[0] > MAX_CONTEXT) throw new Body.BodyTooLarge();
                out.write(b, off, len);
            }));
        } catch (Body.BodyTooLarge e) {
            Files.deleteIfExists(f);
            throw new Refusal(413, "a build context over 2 GiB is not accepted through a session's Podman socket");
        } catch (IOException | Refusal | RuntimeException e) {
            Files.deleteIfExists(f);
            throw e;
        }
        return new BuildContext(f);
    }

    long size() throws IOException {
        return Files.size(file);
    }

    InputStream open() throws IOException {
        return Files.newInputStream(file);
    }

    /**
     * The text of each entry whose name is one of {@code names} (after the tar's own long
     * names), in order; refused when such an entry is a link (Podman would read its target).
     */
    Map<String, List<String>> read(List<String> names) throws IOException, Refusal {
        Map<String, List<String>> found = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream tar = gzip ? new GZIPInputStream(raw, 64 * 1024) : raw;
            String longName = null;
            while (true) {
                byte[] header = tar.readNBytes(512);
                if (header.length < 512 || allZero(header)) break;
                char type = (char) header[156];
                long size = octal(header, 124, 12);
                // Every name a tar reader could give this entry: Go's (Podman's) reads the prefix
                // field only in POSIX and star headers; a name any reading gives counts.
                List<String> candidates = longName != null ? List.of(longName) : names(header);
                longName = null;
                if (type == 'L' || type == 'x') {
                    byte[] meta = bounded(tar, size);
                    skipPadding(tar, size);
                    longName = type == 'L' ? cString(meta) : paxPath(meta);
                    continue;
                }
                if (type == 'g') throw Refusal.forbidden("build contexts with global tar headers are not accepted");
                List<String> matched = candidates.stream().map(BuildContext::normalize).filter(names::contains).distinct().toList();
                if (!matched.isEmpty() && type != '0' && type != '\0' && type != '7') {
                    throw Refusal.forbidden("the Containerfile " + matched.getFirst() + " is not a plain file in the build context; upload the file itself");
                }
                if (!matched.isEmpty()) {
                    String text = new String(bounded(tar, size), StandardCharsets.UTF_8);
                    for (String m : matched) found.computeIfAbsent(m, k -> new ArrayList<>()).add(text);
                } else {
                    tar.skipNBytes(size);
                }
                skipPadding(tar, size);
            }
        } catch (IOException | RuntimeException e) {
            throw Refusal.badRequest("the build context is not a tar Burrow can read: " + e.getMessage());
        }
        return found;
    }

    static String normalize(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) n = n.startsWith("./") ? n.substring(2) : n.substring(1);
        try {
            return Path.of(n).normalize().toString();
        } catch (RuntimeException e) {
            return n;
        }
    }

    private static byte[] bounded(InputStream in, long size) throws IOException, Refusal {
        if (size > MAX_CONTAINERFILE) throw Refusal.forbidden("a Containerfile or tar header over 1 MiB is not accepted");
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) throw new IOException("the tar ended inside an entry");
        return b;
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = (512 - size % 512) % 512;
        in.skipNBytes(pad);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static long octal(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) throw new IOException("binary tar sizes are not accepted");
        String s = new String(h, off, len, StandardCharsets.US_ASCII).replace("\0", "").strip();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    /** The entry's name as read without a prefix, with the POSIX prefix (155 bytes) and with star's (131). */
    private static List<String> names(byte[] h) {
        String name = cString(java.util.Arrays.copyOfRange(h, 0, 100));
        List<String> out = new ArrayList<>(List.of(name));
        for (int len : new int[] {155, 131}) {
            String prefix = cString(java.util.Arrays.copyOfRange(h, 345, 345 + len));
            if (!prefix.isEmpty()) out.add(prefix + "/" + name);
        }
        return out;
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    /** The "path" record of a PAX header, or null. */
    private static String paxPath(byte[] meta) {
        String text = new String(meta, StandardCharsets.UTF_8);
        String path = null;
        for (String rec : text.split("\n")) {
            int sp = rec.indexOf(' ');
            if (sp < 0) continue;
            String kv = rec.substring(sp + 1);
            if (kv.startsWith("path=")) path = kv.substring(5);
        }
        return path;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
