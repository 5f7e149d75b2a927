package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import dev.burrow.store.StoredEvent;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resume", description = "Send a follow-up to a session; a stopped one continues in a fresh container.")
final class ResumeCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Option(names = "--json", description = "One JSON event per line instead of readable text.")
    boolean json;

    @Parameters(index = "0", paramLabel = "ID", description = "Session id (or its short id).")
    String id;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "PROMPT", description = "The follow-up message (none: only restart the container).")
    List<String> prompt = List.of();

    @Override
    public Integer call() throws Exception {
        options.refuseRoot("run sessions");
        try (Burrow burrow = options.start()) {
            burrow.sessions().ensureRunnerImage(Options::progress);
            burrow.sessions().reconcile(false);
            Session s = burrow.sessions().get(id);
            long after = burrow.sessions().lastSeq(s.id());
            String text = String.join(" ", prompt);
            s = text.isBlank() ? burrow.sessions().resume(s.id(), null, Options::progress) : burrow.sessions().send(s.id(), text);
            return RunCommand.finish(burrow, new Transcript(System.out, json).follow(burrow.sessions(), s.id(), after));
        }
    }
}
