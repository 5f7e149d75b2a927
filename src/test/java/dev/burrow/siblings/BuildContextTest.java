package dev.burrow.siblings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.http.Body;
import dev.burrow.http.RequestHead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class BuildContextTest {
    /** A gzip build context: a Containerfile and {@code zeros} bytes of zeros, small on the wire. */
    static byte[] bomb(int zeros) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(tar);
        byte[] cf = "FROM scratch\n".getBytes(StandardCharsets.UTF_8);
        w.file("Containerfile", 0644, 0, cf.length, new ByteArrayInputStream(cf));
        w.file("zeros", 0644, 0, zeros, new ByteArrayInputStream(new byte[zeros]));
        w.finish();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(tar.toByteArray());
        }
        return gz.toByteArray();
    }

    static RequestHead head(int length) throws Exception {
        return RequestHead.read(new ByteArrayInputStream(("POST /v1.41/build HTTP/1.1\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII))).orElseThrow();
    }

    @Test
    void aContextIsBoundedAfterDecompressionNotOnlyOnTheWire() throws Exception {
        byte[] small = bomb(4 << 20);
        assertThat(small.length).isLessThan(64 * 1024);
        long before = tempFiles();
        assertThatThrownBy(() -> BuildContext.rewrite(head(small.length), new ByteArrayInputStream(small), List.of("Containerfile"), 1 << 20))
                .isInstanceOf(Body.BodyTooLarge.class);
        assertThat(tempFiles()).as("nothing is left in the temp dir").isEqualTo(before);
        try (BuildContext ok = BuildContext.rewrite(head(small.length), new ByteArrayInputStream(small), List.of("Containerfile"), 8 << 20)) {
            assertThat(ok.text("Containerfile")).isEqualTo("FROM scratch\n");
        }
    }

    static long tempFiles() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("burrow-build-")).count();
        }
    }
}
