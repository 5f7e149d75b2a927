package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "sessions", description = "List sessions.")
final class SessionsCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Override
    public Integer call() {
        try (Burrow burrow = options.start()) {
            burrow.sessions().reconcile(false);
            System.out.printf("%-8s  %-8s  %-17s  %-8s  %-7s  %s%n", "ID", "STATE", "BRANCH", "COST", "AGE", "REPO");
            for (Session s : burrow.sessions().list()) {
                System.out.printf("%-8s  %-8s  %-17s  $%-7.4f  %-7s  %s%s%n", s.shortId(), s.state().label(), s.branch(), s.costUsd(),
                        age(s.createdAt()), s.repo(), s.reason() == null ? "" : "  (" + s.reason() + ")");
            }
            return 0;
        }
    }

    static String age(Instant t) {
        Duration d = Duration.between(t, Instant.now());
        if (d.toDays() > 0) return d.toDays() + "d";
        if (d.toHours() > 0) return d.toHours() + "h";
        if (d.toMinutes() > 0) return d.toMinutes() + "m";
        return d.toSeconds() + "s";
    }
}
