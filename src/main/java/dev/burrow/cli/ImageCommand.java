package dev.burrow.cli;

import dev.burrow.config.Config;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import dev.burrow.host.HostSetup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "image", description = "The runner image.", subcommands = ImageCommand.Build.class)
final class ImageCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "build", description = "Build the runner image (Debian, dev tools, a JDK, Node.js and the pinned Claude Code).")
    static final class Build implements Callable<Integer> {
        @Mixin
        Options options;

        @Option(names = "--base-image", description = "Base image (default: $BURROW_BASE_IMAGE or " + RunnerImage.DEFAULT_BASE + ").")
        String baseImage;

        @Option(names = "--if-missing", description = "Do nothing when the image already exists.")
        boolean ifMissing;

        @Override
        public Integer call() {
            HostSetup.ensurePodman(Options::progress);
            Config c = options.config();
            if (baseImage != null) {
                c = c.withImages(c.runnerImage(), baseImage);
            }
            PodmanCli podman = new PodmanCli(ProcessRunner.SYSTEM);
            String tag = RunnerImage.fromClasspath().tag();
            if (ifMissing && podman.imageExists(tag)) {
                System.out.println("runner image " + tag + " is present");
                return 0;
            }
            HostSetup.buildImage(podman, c, line -> System.out.println(line));
            return 0;
        }
    }
}
