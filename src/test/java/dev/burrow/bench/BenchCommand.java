package dev.burrow.bench;

import dev.burrow.cli.Options;
import dev.burrow.container.NetworkPolicy;
import picocli.CommandLine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `./burrow bench ...`: the benchmarks. They live in their own jar (target/burrow-bench.jar,
 * with the scripted model they run against), which only `./burrow bench` puts on the class path;
 * the jar `./burrow serve` runs has none of it.
 */
@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Start.class, BenchCommand.Events.class, BenchCommand.Terminal.class,
        BenchCommand.Gateway.class, BenchCommand.Load.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "start", description = "Time from `run` to the first assistant event, beside a bare `podman run ... claude -p`.")
    static final class Start implements Callable<Integer> {
        @Mixin
        Options options;

        @Option(names = "--runs", defaultValue = "10")
        int runs;

        @Option(names = "--network", defaultValue = "full", paramLabel = "POLICY", description = "The sessions' network policy: full, none or allowlist.")
        String network;

        @Option(names = "--only", split = ",", paramLabel = "PART",
                description = "Only these parts beside the floor: process (in process, with the save), environment, warm, cli. Default: all.")
        java.util.Set<String> only;

        @Override
        public Integer call() throws Exception {
            options.refuseRoot("run sessions");
            return new StartBench(options.config(), runs, NetworkPolicy.parse(network), only == null ? StartBench.PARTS : only, System.out).run();
        }
    }

    @Command(name = "events", description = "Latency from an agent's output line to an SSE client, alone and with 50 subscribers.")
    static final class Events implements Callable<Integer> {
        @Mixin
        Options options;

        @Override
        public Integer call() throws Exception {
            options.refuseRoot("run sessions");
            return new EventsBench(options.config(), System.out).run();
        }
    }

    @Command(name = "terminal", description = "MB/s of shell output to a WebSocket viewer beside podman exec read directly, and keystroke-to-echo latency.")
    static final class Terminal implements Callable<Integer> {
        @Mixin
        Options options;

        @Option(names = "--runs", defaultValue = "3")
        int runs;

        @Override
        public Integer call() throws Exception {
            options.refuseRoot("run sessions");
            return new TerminalBench(options.config(), System.out).run(runs);
        }
    }

    @Command(name = "gateway", description = "First-token latency of a streamed model answer through a session's model gateway, beside direct.")
    static final class Gateway implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "200")
        int runs;

        @Override
        public Integer call() throws Exception {
            return new GatewayBench(System.out).run(runs);
        }
    }

    @Command(name = "load", description = "Many sessions at once through the HTTP API, each driven through turns and followed by an SSE client.")
    static final class Load implements Callable<Integer> {
        @Mixin
        Options options;

        @Option(names = "--sessions", defaultValue = "16")
        int sessions;

        @Option(names = "--turns", defaultValue = "20")
        int turns;

        @Option(names = "--model-ms", defaultValue = "0", paramLabel = "MS",
                description = "How long the scripted model thinks before each answer (a real model API takes a second or more; 0: at once).")
        long modelMillis;

        @Override
        public Integer call() throws Exception {
            options.refuseRoot("run sessions");
            return new LoadBench(options.config(), System.out).run(sessions, turns, modelMillis);
        }
    }
}
