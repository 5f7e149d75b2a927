package dev.burrow.web;

import dev.burrow.agent.AgentEvent;
import dev.burrow.store.StoredEvent;
import java.util.Arrays;
import java.util.Locale;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import tools.jackson.databind.JsonNode;

/**
 * Renders stored events as HTML fragments for the session page, on the server: assistant
 * text as sanitized Markdown, each tool call as a collapsible card, tool output, turn ends
 * with cost and tokens, and Burrow's own notices. Unknown events render as nothing.
 */
final class TranscriptView {
    private static final Parser MARKDOWN = Parser.builder().build();
    // Raw HTML in the model's Markdown is shown as text, and javascript: links are dropped.
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();
    private static final int OUTPUT_LINES = 40;

    private TranscriptView() {
    }

    static String render(StoredEvent event) {
        StoredEvent stored = event.read();
        String inner = switch (stored.event()) {
            case AgentEvent.UserPrompt p -> "<div class=\"prompt\">" + Html.esc(p.text()) + "</div>";
            case AgentEvent.Assistant a -> assistant(a.message());
            case AgentEvent.ToolResults t -> toolResults(t.message());
            case AgentEvent.TurnResult r -> turnEnd(r);
            case AgentEvent.Notice n -> "<div class=\"notice " + ("error".equals(n.level()) ? "error" : "") + "\">" + Html.esc(n.text()) + "</div>";
            case AgentEvent.SystemInit i -> "<div class=\"meta\">Claude Code " + (i.model().isEmpty() ? "" : "(" + Html.esc(i.model()) + ")") + " started</div>";
            case AgentEvent.TerminalHook h -> hook(h);
            case AgentEvent.SetupStep st -> setup(st);
            case AgentEvent.ControlResponse c -> "";
            case AgentEvent.Unknown u -> "";
            case AgentEvent.Unread u -> ""; // read above
        };
        if (inner.isEmpty()) return "<div class=\"ev\" data-seq=\"" + stored.seq() + "\" hidden></div>";
        return "<div class=\"ev " + stored.event().type() + "\" data-seq=\"" + stored.seq() + "\">" + inner + "</div>";
    }

    static String markdown(String text) {
        return RENDERER.render(MARKDOWN.parse(text));
    }

    private static String assistant(JsonNode message) {
        StringBuilder b = new StringBuilder();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asString("")) {
                case "text" -> b.append("<div class=\"md\">").append(markdown(block.path("text").asString(""))).append("</div>");
                case "thinking" -> b.append("<details class=\"thinking\"><summary>Thinking</summary><pre>")
                        .append(Html.esc(block.path("thinking").asString(""))).append("</pre></details>");
                case "tool_use" -> b.append(ToolCards.card(block));
                default -> { }
            }
        }
        return b.toString();
    }

    private static String toolResults(JsonNode message) {
        StringBuilder b = new StringBuilder();
        for (JsonNode block : message.path("content")) {
            if (!"tool_result".equals(block.path("type").asString(""))) continue;
            JsonNode content = block.path("content");
            String text;
            if (content.isString()) {
                text = content.asString();
            } else {
                StringBuilder t = new StringBuilder();
                for (JsonNode c : content) t.append(c.path("text").asString("")).append('\n');
                text = t.toString();
            }
            boolean error = block.path("is_error").asBoolean(false);
            String[] lines = text.split("\n", -1);
            String shown = lines.length > OUTPUT_LINES ? String.join("\n", Arrays.copyOf(lines, OUTPUT_LINES)) + "\n…" : text;
            b.append("<div class=\"tool-result").append(error ? " error" : "").append("\" data-tool-id=\"")
                    .append(Html.esc(block.path("tool_use_id").asString(""))).append("\"><pre>").append(Html.esc(shown.strip())).append("</pre></div>");
        }
        return b.toString();
    }

    private static String turnEnd(AgentEvent.TurnResult r) {
        String what = r.isError() ? "Turn failed" : "Turn done";
        // Claude Code in the container writes these figures: the agent can forge them, so they say whose they are.
        String detail = String.format(Locale.ROOT, "$%.4f · %,d in / %,d out tokens · %.1f s, as the agent reports", r.costUsd(), r.tokens().input(),
                r.tokens().output(), r.durationMs() / 1000.0);
        String error = r.isError() && !r.text().isBlank() ? "<div class=\"error-text\">" + Html.esc(r.text()) + "</div>" : "";
        return "<div class=\"turn-end" + (r.isError() ? " error" : "") + "\"><span>" + what + "</span> <span class=\"cost\">"
                + Html.esc(detail) + "</span>" + error + "</div>";
    }

    /** Terminal mode: the prompts typed into Claude's screen, and when it waited for the user. */
    private static String hook(AgentEvent.TerminalHook h) {
        return switch (h.hook()) {
            // Reported by a hook in the container, so labelled as such: Burrow did not see it typed.
            case AgentEvent.TerminalHook.PROMPT -> "<div class=\"prompt from-terminal\"><span class=\"via\">typed in the terminal</span>"
                    + Html.esc(h.text()) + "</div>";
            case AgentEvent.TerminalHook.STOP -> "<div class=\"meta\">Claude is waiting in the terminal</div>";
            case AgentEvent.TerminalHook.NOTIFICATION -> "<div class=\"notice\">" + Html.esc(h.text()) + "</div>";
            default -> "";
        };
    }

    /**
     * A setup step: open while it runs, its output joining it as it comes (app.js moves each
     * piece into the last running step of that name), then, ended, a collapsible step that
     * takes the running one's place (open when it failed).
     */
    private static String setup(AgentEvent.SetupStep st) {
        String name = Html.esc(st.script());
        if (st.progress()) return "<pre class=\"setup-chunk\" data-setup=\"" + name + "\">" + Html.esc(st.output()) + "</pre>";
        if (!st.ended()) {
            return "<details class=\"setup running\" open data-setup=\"" + name + "\"><summary>Setting up: " + name + "…</summary><pre></pre></details>";
        }
        String summary = "Setup (" + st.script() + "): " + (st.failed() ? "failed with exit code " + st.exitCode() : "done")
                + String.format(Locale.ROOT, ", %.1f s", st.durationMs() / 1000.0);
        return "<details class=\"setup" + (st.failed() ? " error" : "") + "\" data-setup-end=\"" + name + "\"" + (st.failed() ? " open" : "") + "><summary>"
                + Html.esc(summary) + "</summary><pre>" + Html.esc(st.output()) + "</pre></details>";
    }
}
