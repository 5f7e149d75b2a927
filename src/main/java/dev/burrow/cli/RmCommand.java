package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "rm", description = "Delete a session: its container, workspace and Claude config. Its branch stays in the source repository.")
final class RmCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try (Burrow burrow = options.start()) {
            burrow.sessions().reconcile(false);
            Session s = burrow.sessions().get(id);
            burrow.sessions().delete(s.id());
            System.out.println("deleted " + s.shortId() + "; its branch " + s.branch() + " is kept in " + s.source());
            return 0;
        }
    }
}
