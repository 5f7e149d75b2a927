package dev.burrow.siblings;

import dev.burrow.http.RequestHead;
import dev.burrow.http.Body;
import dev.burrow.http.Refusal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * A build's uploaded context, taken apart and written again before Podman gets a byte of it:
 * a build runs on the host's Podman, and what Podman's untar and buildah make of a context is
 * theirs to decide (links it writes through, compressions Burrow would not read, names read
 * two ways). So Burrow reads the upload (a tar, gzip-compressed or not), keeps directories,
 * regular files and symbolic links, each path once and none under a link, and sends Podman a
 * plain tar of its own writing. The Containerfile Burrow checks is then the one Podman builds.
 * Refused: hard links, devices, FIFOs, sparse files, global headers, absolute or .. names,
 * other compressions, and links named as the files Podman reads itself (.containerignore).
 */
final class BuildContext implements AutoCloseable {
    static final long MAX_CONTEXT = 2L * 1024 * 1024 * 1024;
    private static final int MAX_TEXT = 1024 * 1024;

    private final Path file;
    private final Map<String, String> texts;

    private volatile Runnable whenClosed;

    /** Runs {@code r} once, when the context is closed (its file deleted). */
    void whenClosed(Runnable r) {
        whenClosed = r;
    }

    private BuildContext(Path file, Map<String, String> texts) {
        this.file = file;
        this.texts = texts;
    }

    /** Reads the request's body and writes it again, keeping the text of the entries named in {@code wanted}. */
    static BuildContext rewrite(RequestHead head, InputStream body, List<String> wanted) throws IOException, Refusal {
        return rewrite(head, body, wanted, MAX_CONTEXT);
    }

    /** The same, with the context at most {@code max} bytes once decompressed. */
    static BuildContext rewrite(RequestHead head, InputStream body, List<String> wanted, long max) throws IOException, Refusal {
        Path upload = Files.createTempFile("burrow-build-", ".upload");
        Path out = Files.createTempFile("burrow-build-", ".tar");
        try {
            spool(head, body, upload);
            Map<String, String> texts = new LinkedHashMap<>();
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(upload), 64 * 1024);
                 OutputStream tar = new BufferedOutputStream(Files.newOutputStream(out), 64 * 1024)) {
                new Rewriter(bounded(uncompressed(raw), max), new TarWriter(tar), wanted, texts).run();
            }
            return new BuildContext(out, texts);
        } catch (IOException | Refusal | RuntimeException e) {
            Files.deleteIfExists(out);
            throw e;
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    /**
     * The context as it is read after decompression, at most {@code max} bytes: a
     * small gzip can stand for a thousand times its size, which would otherwise land on the
     * host's disk as the rewritten tar.
     */
    private static InputStream bounded(InputStream in, long max) {
        return new java.io.FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) count(1);
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) count(n);
                return n;
            }

            private void count(long n) throws IOException {
                if ((read += n) > max) throw new Body.BodyTooLarge();
            }
        };
    }

    private static void spool(RequestHead head, InputStream body, Path to) throws IOException, Refusal {
        try (OutputStream out = Files.newOutputStream(to)) {
            long[] n = {0};
            Body.copy(head, body, Body.sink((b, off, len) -> {
                n[0] += len;
                if (n[0] > MAX_CONTEXT) throw new Body.BodyTooLarge();
                out.write(b, off, len);
            }));
        } catch (Body.BodyTooLarge e) {
            throw new Refusal(413, "a build context over 2 GiB is not accepted through a session's Podman socket");
        }
    }

    private static InputStream uncompressed(InputStream raw) throws IOException, Refusal {
        raw.mark(6);
        byte[] magic = raw.readNBytes(6);
        raw.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) return new GZIPInputStream(raw, 64 * 1024);
        boolean xz = magic.length == 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X' && magic[4] == 'Z';
        boolean bzip2 = magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h';
        boolean zstd = magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd;
        if (xz || bzip2 || zstd) throw Refusal.forbidden("send the build context as a tar, compressed with gzip or not at all");
        return raw;
    }

    /**
     * Adds a file of Burrow's writing as the context's last entry, under a name of its own that
     * no upload holds (random); returns the name. The context as uploaded stays as it was.
     */
    String add(String text) throws IOException {
        byte[] r = new byte[12];
        RANDOM.nextBytes(r);
        String name = ".burrow-containerfile-" + java.util.HexFormat.of().formatHex(r);
        byte[] data = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            long end = ch.size() - 1024; // the end-of-archive blocks TarWriter.finish wrote
            if (end < 0) throw new IOException("the rewritten build context has no end");
            ch.truncate(end);
            ch.position(end);
            OutputStream tar = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch));
            TarWriter w = new TarWriter(tar);
            w.file(name, 0644, System.currentTimeMillis() / 1000, data.length, new java.io.ByteArrayInputStream(data));
            w.finish();
        }
        return name;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** The text of the entry named {@code name} (normalized), or null. */
    String text(String name) {
        return texts.get(name);
    }

    long size() throws IOException {
        return Files.size(file);
    }

    InputStream open() throws IOException {
        return Files.newInputStream(file);
    }

    static String normalize(String name) throws Refusal {
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) throw Refusal.forbidden("build context entries may not climb out with ..: " + name);
            parts.add(p);
        }
        return String.join("/", parts);
    }

    @Override
    public void close() throws IOException {
        Runnable then = whenClosed;
        whenClosed = null;
        try {
            Files.deleteIfExists(file);
        } finally {
            if (then != null) then.run();
        }
    }

    /** One pass over the upload: each entry checked, then written again. */
    private static final class Rewriter {
        private final InputStream in;
        private final TarWriter out;
        private final List<String> wanted;
        private final Map<String, String> texts;
        private final Set<String> paths = new HashSet<>();
        private final Set<String> links = new HashSet<>();

        Rewriter(InputStream in, TarWriter out, List<String> wanted, Map<String, String> texts) {
            this.in = in;
            this.out = out;
            this.wanted = wanted;
            this.texts = texts;
        }

        void run() throws IOException, Refusal {
            String paxPath = null;
            String paxLink = null;
            long paxSize = -1;
            String longName = null;
            String longLink = null;
            while (true) {
                byte[] h = in.readNBytes(512);
                if (h.length == 0) break;
                if (h.length < 512) throw Refusal.badRequest("the build context is not a tar Burrow can read (it ends inside a header)");
                if (allZero(h)) break;
                Tar.checksum(h);
                char type = (char) h[156];
                long size = Tar.octal(h, 124, 12);
                switch (type) {
                    case 'x' -> {
                        Map<String, String> pax = Tar.pax(bounded(size));
                        for (String k : pax.keySet()) {
                            if (!Set.of("path", "linkpath", "size", "mtime", "atime", "ctime", "uid", "gid", "uname", "gname", "comment").contains(k)
                                    && !k.startsWith("SCHILY.xattr.") && !k.startsWith("LIBARCHIVE.xattr.")) {
                                throw Refusal.forbidden("build context tar records " + k + " are not accepted");
                            }
                        }
                        paxPath = pax.get("path");
                        paxLink = pax.get("linkpath");
                        paxSize = pax.containsKey("size") ? Long.parseLong(pax.get("size")) : -1;
                        continue;
                    }
                    case 'L' -> {
                        longName = Tar.cString(bounded(size));
                        continue;
                    }
                    case 'K' -> {
                        longLink = Tar.cString(bounded(size));
                        continue;
                    }
                    default -> {
                    }
                }
                String name = paxPath != null ? paxPath : longName != null ? longName : Tar.name(h);
                String link = paxLink != null ? paxLink : longLink != null ? longLink : Tar.cString(java.util.Arrays.copyOfRange(h, 157, 257));
                if (paxSize >= 0) size = paxSize;
                paxPath = paxLink = longName = longLink = null;
                paxSize = -1;
                entry(type, normalize(name), link, size, (int) (Tar.octal(h, 100, 8) & 0777), Tar.octal(h, 136, 12));
            }
            out.finish();
        }

        private void entry(char type, String path, String link, long size, int mode, long mtime) throws IOException, Refusal {
            if (path.isEmpty()) {
                skip(size); // the context's root itself
                return;
            }
            if (!paths.add(path)) throw Refusal.forbidden("the build context holds " + path + " twice");
            for (String under = parent(path); under != null; under = parent(under)) {
                if (links.contains(under)) throw Refusal.forbidden("the build context writes " + path + " through the link " + under);
            }
            switch (type) {
                case '0', '\0', '7' -> {
                    if (wanted.contains(path)) {
                        byte[] data = bounded(size);
                        texts.put(path, new String(data, StandardCharsets.UTF_8));
                        out.file(path, mode, mtime, data.length, new java.io.ByteArrayInputStream(data));
                    } else {
                        out.file(path, mode, mtime, size, in);
                        Tar.skipPadding(in, size);
                    }
                }
                case '5' -> {
                    skip(size);
                    out.directory(path, mode, mtime);
                }
                case '2' -> {
                    skip(size);
                    String base = path.substring(path.lastIndexOf('/') + 1);
                    if (wanted.contains(path) || base.equals(".containerignore") || base.equals(".dockerignore")) {
                        throw Refusal.forbidden(path + " is a link in the build context; Podman reads it itself: upload the file");
                    }
                    for (String p : paths) {
                        if (p.startsWith(path + "/")) throw Refusal.forbidden("the build context replaces the directory " + path + " with a link");
                    }
                    links.add(path);
                    out.symlink(path, link, mtime);
                }
                case '1' -> throw Refusal.forbidden("hard links are not accepted in a build context (" + path + "); copy the file");
                default -> throw Refusal.forbidden("tar entries of type " + type + " are not accepted in a build context (" + path + ")");
            }
        }

        private void skip(long size) throws IOException {
            in.skipNBytes(size);
            Tar.skipPadding(in, size);
        }

        private byte[] bounded(long size) throws IOException, Refusal {
            if (size > MAX_TEXT) throw Refusal.forbidden("a Containerfile or tar record over 1 MiB is not accepted");
            byte[] b = in.readNBytes((int) size);
            if (b.length < size) throw Refusal.badRequest("the build context ends inside an entry");
            Tar.skipPadding(in, size);
            return b;
        }

        private static String parent(String path) {
            int slash = path.lastIndexOf('/');
            return slash < 0 ? null : path.substring(0, slash);
        }

        private static boolean allZero(byte[] b) {
            for (byte x : b) if (x != 0) return false;
            return true;
        }
    }
}
