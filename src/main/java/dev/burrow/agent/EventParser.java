package dev.burrow.agent;

import dev.burrow.agent.AgentEvent.TokenUse;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Turns the lines of Claude Code's stream-json output (and Burrow's own records) into events. */
public final class EventParser {
    static final long MAX_TOKENS = 50_000;
    private static final java.util.regex.Pattern RESULT_START = java.util.regex.Pattern.compile("\\{\\s*\"type\"\\s*:\\s*\"result\"");
    static final int MAX_DEPTH = 200;
    /**
     * Reads lines with bounds: a line's tree grows with its tokens (a line of 8 MiB of "{}," is
     * millions of nodes, a quarter of a gigabyte), so a line with more tokens or deeper nesting
     * than Claude Code's own ever has is not read as an event but kept as unparsed text.
     */
    static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(MAX_TOKENS).maxNestingDepth(MAX_DEPTH).build()).build()).build();

    private EventParser() {
    }

    /**
     * The least of a stored event that counting turns needs (its kind, a hook's name), without
     * reading it whole: replaying a long session's log must not hold all of it in memory.
     */
    public static AgentEvent turnMarker(String type, String json) {
        return switch (type) {
            case "burrow_prompt" -> new AgentEvent.UserPrompt("", "");
            case "result" -> new AgentEvent.TurnResult("", false, "", 0, new TokenUse(0, 0, 0, 0), 0, "");
            case "burrow_hook" -> parse(json) instanceof AgentEvent.TerminalHook h ? new AgentEvent.TerminalHook(h.hook(), "", "", "") : unread(type, "");
            case "burrow_notice" -> parse(json) instanceof AgentEvent.Notice n && isResume(n) ? n : unread(type, "");
            default -> unread(type, "");
        };
    }

    /** An event as stored, passed on without reading it. */
    public static AgentEvent unread(String type, String json) {
        return new AgentEvent.Unread(type, json);
    }

    /** The record types Burrow writes itself; a line from the container never passes for one of them. */
    static final Set<String> BURROW_RECORDS = Set.of("burrow_prompt", "burrow_notice");

    /**
     * A line the container wrote (the agent's output file). Claude Code's event types and the
     * runner's hook and setup lines are taken as they are; a line claiming to be one of Burrow's
     * own records (a user prompt, a notice) is kept as an unparsed line instead, so that neither
     * the transcript nor the turn count believes it.
     */
    public static AgentEvent parseFromContainer(String line) {
        return parseFromContainer(line, 0);
    }

    /**
     * A line the container wrote of which {@code cutBytes} bytes were left out (it was longer
     * than Burrow keeps): stored as an unparsed line that says so.
     */
    public static AgentEvent parseFromContainer(String line, long cutBytes) {
        if (cutBytes > 0) {
            ObjectNode wrapped = JSON.createObjectNode().put("type", "unparsed").put("text", line + " [... cut: " + cutBytes + " more bytes]")
                    .put("cut_bytes", cutBytes);
            return new AgentEvent.Unknown("unparsed", wrapped.toString());
        }
        AgentEvent e = parse(line);
        if (BURROW_RECORDS.contains(e.type())) return unparsed(line);
        return e;
    }

    /** Parses one stored or printed line. Never fails: what it cannot read becomes {@link AgentEvent.Unknown}. */
    public static AgentEvent parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (StreamConstraintsException e) {
            // Too big to read as a tree. A turn's end must still end the turn (Claude Code writes
            // "type" first); it is kept with no figures, anything else as text.
            if (RESULT_START.matcher(line).lookingAt()) {
                return new AgentEvent.TurnResult("", false, "", 0, new TokenUse(0, 0, 0, 0), 0, unparsed(line).json());
            }
            node = null;
        } catch (JacksonException e) {
            node = null;
        }
        if (node == null || !node.isObject()) return unparsed(line);
        String type = node.path("type").asString("");
        return switch (type) {
            case "system" -> "init".equals(node.path("subtype").asString(""))
                    ? new AgentEvent.SystemInit(node.path("session_id").asString(""), node.path("model").asString(""), line)
                    : new AgentEvent.Unknown(type, line);
            case "assistant" -> new AgentEvent.Assistant(node.path("message"), line);
            case "user" -> new AgentEvent.ToolResults(node.path("message"), line);
            case "result" -> turnResult(node, line);
            case "control_response" -> new AgentEvent.ControlResponse(line);
            case "burrow_prompt" -> new AgentEvent.UserPrompt(node.path("text").asString(""), line);
            case "burrow_hook" -> new AgentEvent.TerminalHook(node.path("hook").asString(""), node.path("session_id").asString(""),
                    node.has("prompt") ? node.path("prompt").asString("") : node.path("message").asString(""), line);
            case "burrow_setup" -> new AgentEvent.SetupStep(setupPhase(node.path("phase").asString("")), node.path("script").asString(".burrow/setup.sh"),
                    node.has("exit_code") ? node.path("exit_code").asInt() : null, node.path("duration_ms").asLong(0),
                    node.path("output").asString(""), line);
            case "burrow_notice" -> new AgentEvent.Notice(node.path("level").asString("info"), node.path("text").asString(""), line);
            default -> new AgentEvent.Unknown(type.isEmpty() ? "unknown" : type, line);
        };
    }

    private static AgentEvent.TurnResult turnResult(JsonNode n, String line) {
        JsonNode u = n.path("usage");
        TokenUse tokens = new TokenUse(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
                u.path("cache_read_input_tokens").asLong(0), u.path("cache_creation_input_tokens").asLong(0));
        return new AgentEvent.TurnResult(n.path("subtype").asString(""), n.path("is_error").asBoolean(false),
                n.path("result").asString(""), n.path("total_cost_usd").asDouble(0), tokens,
                n.path("duration_ms").asLong(0), line);
    }

    private static AgentEvent unparsed(String line) {
        ObjectNode wrapped = JSON.createObjectNode().put("type", "unparsed").put("text", line);
        return new AgentEvent.Unknown("unparsed", wrapped.toString());
    }

    public static AgentEvent.UserPrompt prompt(String text) {
        return new AgentEvent.UserPrompt(text, JSON.createObjectNode().put("type", "burrow_prompt").put("text", text).toString());
    }

    /** How Burrow's notice of a resume begins: a fresh agent, with none of the turns of the one before. */
    public static final String RESUMED = "resumed in a fresh container";

    /** Burrow's notice that the session resumed (a notice is Burrow's own record: the container cannot write one). */
    public static boolean isResume(AgentEvent event) {
        return event instanceof AgentEvent.Notice n && n.level().equals("info") && n.text().startsWith(RESUMED);
    }

    public static AgentEvent.Notice notice(String level, String text) {
        return new AgentEvent.Notice(level, text,
                JSON.createObjectNode().put("type", "burrow_notice").put("level", level).put("text", text).toString());
    }

    /** The line written to Claude Code's stdin for a user message. */
    public static String userMessageLine(String text) {
        ObjectNode msg = JSON.createObjectNode().put("role", "user").put("content", text);
        ObjectNode line = JSON.createObjectNode().put("type", "user");
        line.set("message", msg);
        return line.toString();
    }

    /** The line written to Claude Code's stdin to interrupt the running turn. */
    public static String interruptLine(String requestId) {
        ObjectNode line = JSON.createObjectNode().put("type", "control_request").put("request_id", requestId);
        line.set("request", JSON.createObjectNode().put("subtype", "interrupt"));
        return line.toString();
    }

    /** The container writes the phase: one of the three, or the start. */
    private static String setupPhase(String phase) {
        return switch (phase) {
            case AgentEvent.SetupStep.END, AgentEvent.SetupStep.OUTPUT -> phase;
            default -> AgentEvent.SetupStep.START;
        };
    }
}
