package dev.burrow.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The ref updates at the start of a git push (the body of POST git-receive-pack): pkt-lines of
 * "OLD NEW REF", the first with the client's capabilities after a NUL, up to a flush packet;
 * the pack follows. Read strictly: what the gateway checks is what the git host will apply.
 * And the answer git shows for refused updates: a report-status with "ng REF reason" lines.
 *
 * @param head     the bytes read, to send on before the rest of the body
 * @param refs     the refs the push updates, in order
 * @param caps     the capabilities the client asked for
 */
record ReceivePack(byte[] head, List<String> refs, Set<String> caps) {
    private static final int MAX_COMMANDS = 1024 * 1024;

    /** Reads the commands; fails, saying why, on anything else. */
    static ReceivePack read(InputStream body) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        List<String> refs = new ArrayList<>();
        Set<String> caps = Set.of();
        while (true) {
            byte[] len = body.readNBytes(4);
            if (len.length < 4) throw new IOException("the push ended inside its ref updates");
            head.write(len);
            int n;
            try {
                n = Integer.parseInt(new String(len, StandardCharsets.US_ASCII), 16);
            } catch (NumberFormatException e) {
                throw new IOException("the push's ref updates are not pkt-lines");
            }
            if (n == 0) break;
            if (n < 5 || head.size() + n > MAX_COMMANDS) throw new IOException("a bad pkt-line in the push's ref updates");
            byte[] payload = body.readNBytes(n - 4);
            if (payload.length < n - 4) throw new IOException("the push ended inside its ref updates");
            head.write(payload);
            String line = new String(payload, StandardCharsets.UTF_8);
            int nul = line.indexOf('\0');
            if (nul >= 0) {
                if (!refs.isEmpty()) throw new IOException("capabilities after the first ref update");
                caps = Set.of(line.substring(nul + 1).strip().split(" "));
                line = line.substring(0, nul);
            }
            line = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
            if (line.startsWith("shallow ") && refs.isEmpty()) continue;
            String[] f = line.split(" ");
            if (f.length != 3 || !f[0].matches("[0-9a-f]{40}|[0-9a-f]{64}") || !f[1].matches("[0-9a-f]{40}|[0-9a-f]{64}") || !f[2].startsWith("refs/")) {
                throw new IOException("not a ref update Burrow reads (push certificates are not accepted): " + line.replaceAll("[^\\x20-\\x7e]", "?"));
            }
            refs.add(f[2]);
        }
        if (refs.isEmpty()) throw new IOException("a push without ref updates");
        return new ReceivePack(head.toByteArray(), List.copyOf(refs), caps);
    }

    /** A report git prints as "! [remote rejected] REF (reason)" for every ref; null when the client asked for none. */
    byte[] rejection(String reason) {
        if (!caps.contains("report-status") && !caps.contains("report-status-v2")) return null;
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        pkt(report, "unpack ok\n".getBytes(StandardCharsets.UTF_8));
        for (String ref : refs) pkt(report, ("ng " + ref + " " + reason + "\n").getBytes(StandardCharsets.UTF_8));
        report.writeBytes("0000".getBytes(StandardCharsets.US_ASCII));
        if (!caps.contains("side-band-64k") && !caps.contains("side-band")) return report.toByteArray();
        // With side-band, the report is carried in band 1.
        ByteArrayOutputStream banded = new ByteArrayOutputStream();
        byte[] r = report.toByteArray();
        byte[] band = new byte[r.length + 1];
        band[0] = 1;
        System.arraycopy(r, 0, band, 1, r.length);
        pkt(banded, band);
        banded.writeBytes("0000".getBytes(StandardCharsets.US_ASCII));
        return banded.toByteArray();
    }

    private static void pkt(ByteArrayOutputStream out, byte[] payload) {
        out.writeBytes(String.format("%04x", payload.length + 4).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
    }
}
