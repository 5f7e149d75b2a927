package dev.burrow.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The runner image as Burrow built it: the id behind its tag is recorded in the data dir when
 * Burrow builds it, and sessions run that id, checked against the record, never the tag as
 * it may stand later. Whatever retags localhost/burrow-runner (a session cannot: its Podman
 * socket refuses Burrow's names) does not change what a session runs. An image from before
 * this record existed is recorded on first use.
 */
public final class RunnerImagePin {
    private final ContainerEngine engine;
    private final Path records;

    public RunnerImagePin(ContainerEngine engine, Path dataDir) {
        this.engine = engine;
        this.records = dataDir.resolve("runner-images");
    }

    /** Records the id {@code tag} has now as the one Burrow built. */
    public void record(String tag) {
        String id = engine.imageId(tag).orElseThrow(() -> new ContainerException("the runner image " + tag + " is missing after its build"));
        try {
            Files.createDirectories(records);
            Path tmp = Files.createTempFile(records, "record", ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file(tag), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not record the runner image's id in " + records, e);
        }
    }

    /** The id to run for {@code tag}: the one recorded, when the tag still names it; refused otherwise. */
    public String verified(String tag) {
        String now = engine.imageId(tag).orElseThrow(() -> new ContainerException("the runner image " + tag + " is missing; build it with ./burrow image build"));
        Optional<String> recorded = recorded(tag);
        if (recorded.isEmpty()) {
            record(tag);
            return now;
        }
        if (!recorded.get().equals(now)) {
            throw new ContainerException("the runner image " + tag + " is not the one Burrow built (it is " + shortId(now) + ", Burrow built "
                    + shortId(recorded.get()) + "): something retagged it; rebuild it with ./burrow image build");
        }
        return now;
    }

    private Optional<String> recorded(String tag) {
        try {
            Path f = file(tag);
            return Files.isRegularFile(f) ? Optional.of(Files.readString(f, StandardCharsets.US_ASCII).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String tag) {
        return records.resolve(tag.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
