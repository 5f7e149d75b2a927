package dev.burrow.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.agent.EventParser;
import dev.burrow.store.StoredEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TranscriptViewTest {

    static String render(String line) {
        return TranscriptView.render(new StoredEvent("s", 7, EventParser.parse(line), Instant.now()));
    }

    @Test
    void markdownIsRenderedAndRawHtmlAndScriptLinksAreNot() {
        String html = render("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":"
                + "\"**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\"}]}}");
        assertThat(html).contains("<strong>bold</strong>").contains("data-seq=\"7\"")
                .doesNotContain("<script>").doesNotContain("<img").doesNotContain("javascript:");
    }

    @Test
    void toolCallsBecomeCardsShapedByTheTool() {
        String bash = render("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Bash\","
                + "\"input\":{\"command\":\"ls <dir>\"}}]}}");
        assertThat(bash).contains("<details class=\"tool\"", "data-tool-id=\"t1\"", "$ ls &lt;dir&gt;");
        String edit = render("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"Edit\","
                + "\"input\":{\"file_path\":\"a.txt\",\"old_string\":\"old\",\"new_string\":\"new\"}}]}}");
        assertThat(edit).contains("<span class=\"del\">-old</span>", "<span class=\"add\">+new</span>");
        String todo = render("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"id\":\"t3\",\"name\":\"TodoWrite\","
                + "\"input\":{\"todos\":[{\"content\":\"write tests\",\"status\":\"completed\"},{\"content\":\"ship\",\"status\":\"pending\"}]}}]}}");
        assertThat(todo).contains("class=\"completed\">☑ write tests", "class=\"pending\">☐ ship");
        String read = render("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"id\":\"t4\",\"name\":\"Read\","
                + "\"input\":{\"file_path\":\"/workspace/a.txt\"}}]}}");
        assertThat(read).contains("tool compact").contains("/workspace/a.txt");
    }

    @Test
    void errorsAreMarked() {
        assertThat(render("{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"is_error\":true,"
                + "\"content\":\"boom\"}]}}")).contains("tool-result error");
        assertThat(render("{\"type\":\"result\",\"is_error\":true,\"result\":\"API Error: 400\",\"total_cost_usd\":0}"))
                .contains("turn-end error").contains("API Error: 400");
        assertThat(render(EventParser.notice("error", "the container died").json())).contains("notice error");
    }

    @Test
    void theStreamedEventTextIsTheSameJsonAsTheEventObject() {
        StoredEvent e = new StoredEvent("s", 3, EventParser.parse("{\"type\":\"weird \\\"type\\\"\",\"x\":[1,{\"y\":\"z\"}]}"), Instant.now());
        assertThat(Json.MAPPER.readTree(Json.eventText(e)).toString()).isEqualTo(Json.event(e).toString());
        StoredEvent text = new StoredEvent("s", 4, EventParser.parse("not json at all"), Instant.now());
        assertThat(Json.MAPPER.readTree(Json.eventText(text)).toString()).isEqualTo(Json.event(text).toString());
    }

    @Test
    void aSetupStepRunsOpenWithItsOutputComingThenEndsCollapsedUnderItsName() {
        assertThat(render("{\"type\":\"burrow_setup\",\"phase\":\"start\",\"script\":\"onCreateCommand\"}"))
                .contains("<details class=\"setup running\" open data-setup=\"onCreateCommand\">", "Setting up: onCreateCommand");
        assertThat(render("{\"type\":\"burrow_setup\",\"phase\":\"output\",\"script\":\"onCreateCommand\",\"output\":\"<b>npm</b>\"}"))
                .contains("<pre class=\"setup-chunk\" data-setup=\"onCreateCommand\">&lt;b&gt;npm&lt;/b&gt;</pre>");
        String end = render("{\"type\":\"burrow_setup\",\"phase\":\"end\",\"script\":\"onCreateCommand\",\"exit_code\":0,\"duration_ms\":1500,\"output\":\"ok\"}");
        assertThat(end).contains("data-setup-end=\"onCreateCommand\"", "Setup (onCreateCommand): done, 1.5 s").doesNotContain(" open");
        assertThat(render("{\"type\":\"burrow_setup\",\"phase\":\"end\",\"script\":\"\\\"><script>\",\"exit_code\":2,\"output\":\"x\"}"))
                .contains("failed with exit code 2", " open").doesNotContain("<script>");
    }
}
