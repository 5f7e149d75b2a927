package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The runner scripts name the files they share with Burrow exactly as {@link RunDir} does. */
class RunDirNamesTest {
    // "$run/NAME" (the scripts' name for /run/burrow) or an absolute /run/burrow*/NAME.
    private static final Pattern NAME = Pattern.compile("(\\$run|\\$\\{run}|/run/burrow(?:-secrets|-net)?)/([A-Za-z0-9._-]+)");

    @Test
    void everyNameTheScriptsUseIsOneOfRunDirs() throws Exception {
        Set<String> used = new HashSet<>();
        for (String file : RunnerImage.FILES) {
            String text;
            try (InputStream in = RunnerImage.class.getResourceAsStream("/runner/" + file)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Matcher m = NAME.matcher(text);
            while (m.find()) {
                String dir = m.group(1).startsWith("$") ? RunDir.MOUNT : m.group(1);
                String name = m.group(2).replaceAll("\\.$", ""); // the end of a sentence in a comment
                if (name.endsWith(".tmp")) name = name.substring(0, name.length() - 4); // written, then renamed into place
                Set<String> known = switch (dir) {
                    case RunDir.MOUNT -> RunDir.RUN_DIR_NAMES;
                    case RunDir.SECRETS_MOUNT -> RunDir.SECRETS_NAMES;
                    default -> RunDir.NET_NAMES;
                };
                assertThat(known).as("%s names %s/%s", file, dir, m.group(2)).contains(name);
                used.add(dir + "/" + name);
            }
        }
        // The handshakes both sides take part in are there on the scripts' side too.
        assertThat(used).contains(RunDir.MOUNT + "/" + RunDir.OUTPUT, RunDir.MOUNT + "/" + RunDir.INPUT, RunDir.MOUNT + "/" + RunDir.EXIT,
                RunDir.MOUNT + "/" + RunDir.READY, RunDir.MOUNT + "/" + RunDir.SETUP_DONE, RunDir.MOUNT + "/" + RunDir.SETUP_FAILED,
                RunDir.MOUNT + "/" + RunDir.FIRST_PROMPT, RunDir.SECRETS_MOUNT + "/" + RunDir.AGENT_ENV,
                RunDir.SECRETS_MOUNT + "/" + RunDir.GITHUB_TOKEN, RunDir.SECRETS_MOUNT + "/" + RunDir.SECRETS_READY,
                RunDir.NET_MOUNT + "/" + RunDir.EGRESS_SOCKET, RunDir.NET_MOUNT + "/" + RunDir.MODEL_SOCKET, RunDir.NET_MOUNT + "/" + RunDir.GIT_SOCKET,
                RunDir.NET_MOUNT + "/" + RunDir.PREVIEW_SOCKET);
    }
}
