package dev.burrow.session;

import dev.burrow.config.PrivateFiles;
import dev.burrow.container.HostileFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seeds a session's Claude config dir before each container start, so the interactive Claude
 * Code shows none of its first-run dialogs (onboarding, folder trust, API key approval, the
 * bypass-permissions warning) and reports working and waiting through hooks. What Claude
 * Code or the user wrote there is kept: only these keys are set.
 */
final class ClaudeConfigSeed {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int MAX_BYTES = 4 * 1024 * 1024;
    static final List<String> HOOKS = List.of("UserPromptSubmit", "Stop", "Notification");
    // The hooks are put in place for terminal mode and taken out for chat mode (each start seeds
    // again, and a switch of mode is a new start): in chat mode, where they report nothing, each
    // turn's end would still wait for a shell Claude Code starts for the Stop hook, which costs
    // hundreds of milliseconds on a loaded machine. The command still checks the mode.
    static final String HOOK_COMMAND = "test \"$BURROW_MODE\" = terminal && exec burrow-hook || true";

    private ClaudeConfigSeed() {
    }

    /** Claude Code trusts {@code folder} too (an environment's workspaceFolder), without asking. */
    static void trust(Path claudeDir, String folder) {
        try {
            Path global = claudeDir.resolve(".claude.json");
            ObjectNode g = read(global);
            trusted(g, folder);
            write(global, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void trusted(ObjectNode global, String folder) {
        object(object(global, "projects"), folder).put("hasTrustDialogAccepted", true);
    }

    static void seed(Path claudeDir, String apiKey, SessionMode mode) {
        try {
            Files.createDirectories(claudeDir);
            Path global = claudeDir.resolve(".claude.json");
            ObjectNode g = read(global);
            g.put("hasCompletedOnboarding", true);
            if (apiKey != null && !apiKey.isBlank()) {
                // Claude Code asks once whether to use a key found in the environment; it remembers the answer by the key's last 20 characters.
                ObjectNode responses = object(g, "customApiKeyResponses");
                ArrayNode approved = array(responses, "approved");
                array(responses, "rejected");
                String tail = apiKey.length() > 20 ? apiKey.substring(apiKey.length() - 20) : apiKey;
                if (!contains(approved, tail)) approved.add(tail);
            }
            trusted(g, "/workspace");
            write(global, g);

            Path settingsFile = claudeDir.resolve("settings.json");
            ObjectNode settings = read(settingsFile);
            settings.put("skipDangerousModePermissionPrompt", true);
            ObjectNode hooks = object(settings, "hooks");
            for (String event : HOOKS) {
                ArrayNode matchers = array(hooks, event);
                if (mode != SessionMode.TERMINAL) {
                    for (int i = matchers.size() - 1; i >= 0; i--) if (matchers.get(i).toString().contains("burrow-hook")) matchers.remove(i);
                    if (matchers.isEmpty()) hooks.remove(event);
                    continue;
                }
                if (matchers.toString().contains("burrow-hook")) continue;
                ObjectNode hook = JSON.createObjectNode().put("type", "command").put("command", HOOK_COMMAND);
                ObjectNode matcher = JSON.createObjectNode();
                matcher.putArray("hooks").add(hook);
                matchers.add(matcher);
            }
            write(settingsFile, settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // The container writes this dir: a file is read only when it is a regular file (never through a
    // link, never a FIFO) of reasonable size, and written by a rename over whatever is at its name.
    private static ObjectNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_BYTES) return JSON.createObjectNode();
        try {
            JsonNode n = JSON.readTree(new String(HostileFiles.readHead(file, MAX_BYTES).orElse(new byte[0]), StandardCharsets.UTF_8));
            if (n instanceof ObjectNode o) return o;
        } catch (JacksonException e) {
            // A broken file would stop Claude Code too; start it over rather than fail the session.
        }
        return JSON.createObjectNode();
    }

    private static void write(Path file, ObjectNode node) {
        PrivateFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    }

    private static ObjectNode object(ObjectNode parent, String key) {
        if (parent.get(key) instanceof ObjectNode o) return o;
        return parent.putObject(key);
    }

    private static ArrayNode array(ObjectNode parent, String key) {
        if (parent.get(key) instanceof ArrayNode a) return a;
        return parent.putArray(key);
    }

    private static boolean contains(ArrayNode array, String value) {
        for (JsonNode n : array) if (value.equals(n.asString(""))) return true;
        return false;
    }
}
