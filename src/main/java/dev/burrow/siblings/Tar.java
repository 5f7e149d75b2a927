package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading tar headers (ustar, GNU and PAX), strictly: a header whose checksum does not add up is no tar. */
final class Tar {
    private Tar() {
    }

    static void checksum(byte[] h) throws Refusal {
        long want;
        try {
            want = octal(h, 148, 8);
        } catch (Refusal e) {
            throw Refusal.badRequest("the build context is not a tar Burrow can read (a bad header checksum)");
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        if (sum != want) throw Refusal.badRequest("the build context is not a tar Burrow can read (a bad header checksum)");
    }

    static long octal(byte[] h, int off, int len) throws Refusal {
        if ((h[off] & 0x80) != 0) throw Refusal.forbidden("binary numbers in tar headers are not accepted");
        String s = new String(h, off, len, StandardCharsets.US_ASCII).replace("\0", "").strip();
        if (s.isEmpty()) return 0;
        if (!s.matches("[0-7]{1,12}")) throw Refusal.badRequest("the build context is not a tar Burrow can read (a bad number)");
        return Long.parseLong(s, 8);
    }

    /** The entry's name: with the POSIX prefix when the header is POSIX ustar (GNU headers keep times there). */
    static String name(byte[] h) {
        String name = cString(Arrays.copyOfRange(h, 0, 100));
        boolean posix = new String(h, 257, 6, StandardCharsets.US_ASCII).equals("ustar\0");
        String prefix = posix ? cString(Arrays.copyOfRange(h, 345, 500)) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    /** The records of a PAX header ("LEN key=value\n" each). */
    static Map<String, String> pax(byte[] meta) throws Refusal {
        Map<String, String> out = new LinkedHashMap<>();
        String text = new String(meta, StandardCharsets.UTF_8);
        for (String rec : text.split("\n")) {
            if (rec.isEmpty()) continue;
            int sp = rec.indexOf(' ');
            int eq = rec.indexOf('=');
            if (sp < 0 || eq < sp) throw Refusal.badRequest("the build context has a malformed PAX record");
            if (out.put(rec.substring(sp + 1, eq), rec.substring(eq + 1)) != null) throw Refusal.badRequest("a PAX record given twice");
        }
        return out;
    }

    static void skipPadding(InputStream in, long size) throws IOException {
        in.skipNBytes((512 - size % 512) % 512);
    }
}
