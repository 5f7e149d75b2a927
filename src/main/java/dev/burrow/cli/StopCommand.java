package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "stop", description = "Stop a session's container; its workspace and conversation stay, resumable.")
final class StopCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try (Burrow burrow = options.start()) {
            burrow.sessions().reconcile(false);
            Session s = burrow.sessions().stop(id);
            System.out.println("stopped " + s.shortId() + "; its branch " + s.branch() + " is in " + s.source());
            return 0;
        }
    }
}
