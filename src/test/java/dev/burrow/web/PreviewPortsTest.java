package dev.burrow.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.environment.Environment;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreviewPortsTest {
    @Test
    void theEnvironmentsForwardedPortsComeFirstWithTheirLabelsListeningOrNotThenTheOthers() {
        var list = PreviewServer.portList("s1", List.of(5173, 3000), List.of(new Environment.Port(3000, "Web app"), new Environment.Port(8080, "")));
        assertThat(list.toString()).isEqualTo("[{\"port\":3000,\"url\":\"/sessions/s1/preview/3000\",\"listening\":true,\"label\":\"Web app\"},"
                + "{\"port\":8080,\"url\":\"/sessions/s1/preview/8080\",\"listening\":false},"
                + "{\"port\":5173,\"url\":\"/sessions/s1/preview/5173\",\"listening\":true}]");
    }
}
