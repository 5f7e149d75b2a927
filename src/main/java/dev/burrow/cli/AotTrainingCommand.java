package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.agent.EventParser;
import dev.burrow.config.Config;
import dev.burrow.container.RunnerImage;
import dev.burrow.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * A training run for the JVM's ahead-of-time cache (JDK 25): the launcher runs it once per
 * build with -XX:AOTCacheOutput, so that later commands start with Burrow's classes already
 * loaded and linked. It touches what every command touches (config, database, events, the
 * runner image's files) and nothing outside a temporary directory: no podman, no network.
 */
@Command(name = "aot-training", hidden = true)
final class AotTrainingCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Path tmp = Files.createTempDirectory("burrow-aot-");
        try (Burrow burrow = Burrow.start(Config.load(Map.of(), tmp))) {
            burrow.sessions().list();
            RunnerImage.fromClasspath().tag();
            EventParser.parse("{\"type\":\"result\",\"total_cost_usd\":0.1,\"usage\":{\"input_tokens\":1}}");
            EventParser.parse("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}");
            EventParser.userMessageLine("hello");
        } finally {
            Workspaces.deleteQuietly(tmp);
        }
        return 0;
    }
}
