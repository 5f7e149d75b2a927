package dev.burrow.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PreviewHeadTest {
    private static PreviewHead head(String text) {
        return PreviewHead.parse(text.getBytes(StandardCharsets.ISO_8859_1)).orElseThrow();
    }

    @Test
    void aBodyIsFramedOneWayOrTheRequestIsRefused() {
        assertThat(head("GET / HTTP/1.1\r\nHost: h").framing()).hasValueSatisfying(f -> assertThat(f.none()).isTrue());
        assertThat(head("POST / HTTP/1.1\r\nContent-Length: 5").framing()).contains(new PreviewHead.Framing(false, 5));
        assertThat(head("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked").framing()).contains(new PreviewHead.Framing(true, 0));
        for (String bad : new String[] {"Content-Length: 5\r\nTransfer-Encoding: chunked", "Content-Length: 5\r\nContent-Length: 5",
                "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", "Content-Length: -1",
                "Content-Length: 0x10", "Content-Length: 1234567890123456"}) {
            assertThat(head("POST / HTTP/1.1\r\n" + bad).framing()).as(bad).isEmpty();
        }
    }

    @Test
    void burrowsCookiesAreKnownQuotedOrNot() {
        for (String name : new String[] {"burrow_session", " burrow_session ", "\"burrow_session\"", "\" burrow_session\"", "\"\"burrow_session",
                "__Host-burrow_session", "\"burrow_preview_4242\"", "BURROW_SESSION"}) {
            assertThat(PreviewHead.burrowsCookie(name)).as(name).isTrue();
        }
        assertThat(PreviewHead.burrowsCookie("app")).isFalse();
        assertThat(head("GET / HTTP/1.1\r\nCookie: \"burrow_session\"=x; app=1").withoutBurrowsCookies().all("Cookie")).containsExactly("app=1");
    }
}
