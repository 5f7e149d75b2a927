package dev.burrow.cli;

import dev.burrow.container.ContainerEngine.OwnImage;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.ProcessRunner;
import dev.burrow.environment.EnvironmentCache;
import dev.burrow.environment.EnvironmentImages;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "env", description = "The environments' images: built from a repository's devcontainer.json or .burrow/Containerfile, and set up.",
        subcommands = {EnvCommand.ListImages.class, EnvCommand.Remove.class, EnvCommand.Rebuild.class})
final class EnvCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static EnvironmentCache cache() {
        return new EnvironmentCache(new PodmanCli(ProcessRunner.SYSTEM), EnvironmentCache.cap(System.getenv()));
    }

    static String gib(long bytes) {
        return String.format("%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    @Command(name = "list", description = "The environments' images, newest first, with their size and the cap (BURROW_ENV_CACHE_GB).")
    static final class ListImages implements Callable<Integer> {
        @Override
        public Integer call() {
            EnvironmentCache cache = cache();
            List<OwnImage> all = cache.list();
            if (all.isEmpty()) {
                System.out.println("no environment images; a session of a repository with its own environment makes one");
                return 0;
            }
            System.out.printf("%-48s %-7s %-12s %-20s %s%n", "IMAGE", "KIND", "ENVIRONMENT", "MADE", "SIZE");
            for (OwnImage i : all) {
                System.out.printf("%-48s %-7s %-12s %-20s %s%n", i.tag(), EnvironmentCache.kind(i), i.labels().getOrDefault(EnvironmentImages.NAME_LABEL, "?"),
                        Instant.ofEpochSecond(EnvironmentCache.made(i)).toString().replace('T', ' ').replace("Z", ""), gib(i.size()));
            }
            System.out.println("total " + gib(all.stream().mapToLong(OwnImage::size).sum()) + " of " + gib(cache.cap())
                    + " (BURROW_ENV_CACHE_GB; the oldest go first past it)");
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove environment images by name (see env list), or --all.")
    static final class Remove implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "IMAGE")
        List<String> names = List.of();

        @picocli.CommandLine.Option(names = "--all", description = "Remove every environment image.")
        boolean all;

        @Override
        public Integer call() {
            return remove(names, all);
        }
    }

    @Command(name = "rebuild", description = "Remove environment images (by name, or --all) so that the next session of their repository builds and sets its environment up anew.")
    static final class Rebuild implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "IMAGE")
        List<String> names = List.of();

        @picocli.CommandLine.Option(names = "--all", description = "Every environment image.")
        boolean all;

        @Override
        public Integer call() {
            int rc = remove(names, all);
            if (rc == 0) System.out.println("the next session of each repository builds and sets up its environment anew");
            return rc;
        }
    }

    static int remove(List<String> names, boolean all) {
        EnvironmentCache cache = cache();
        List<OwnImage> images = cache.list();
        if (!all && names.isEmpty()) {
            System.err.println("burrow: name the images to remove (burrow env list shows them), or --all");
            return 2;
        }
        PodmanCli podman = new PodmanCli(ProcessRunner.SYSTEM);
        int rc = 0;
        for (OwnImage i : images) {
            if (!all && !names.contains(i.tag())) continue;
            try {
                podman.removeImage(i.tag());
                System.out.println("removed " + i.tag());
            } catch (RuntimeException e) {
                System.err.println("burrow: " + e.getMessage());
                rc = 1;
            }
        }
        for (String n : names) {
            if (images.stream().noneMatch(i -> i.tag().equals(n))) {
                System.err.println("burrow: no environment image " + n + " (burrow env list shows them)");
                rc = 1;
            }
        }
        return rc;
    }
}
