package dev.burrow.siblings;

import dev.burrow.http.Refusal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The ONBUILD triggers of an image on this machine. buildah parses a base image's triggers anew
 * as a Containerfile of their own when a build starts FROM it, so they are a build's
 * instructions that Burrow never read in the session's Containerfile (two triggers joined into
 * one RUN --mount=type=bind read the host's files). Podman's API does not show them: they are
 * read from the image's configuration in Podman's store, by the image's id, without following links.
 */
final class ImageTriggers {
    private static final int MAX_CONFIG = 8 * 1024 * 1024;
    private final PodmanApi api;
    private volatile Path images;

    ImageTriggers(PodmanApi api) {
        this.api = api;
    }

    /** The triggers of the image Podman finds for {@code name}; refused when there is no such image here. */
    List<String> of(String name) throws Refusal, IOException {
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/images/" + Owner.imagePath(name) + "/json");
        if (a.status() == 404) {
            throw Refusal.forbidden(name + " is not on this machine: pull it first (podman pull " + name + "), then build;"
                    + " Burrow reads a base image before a build uses it");
        }
        if (!a.ok()) throw new IOException("Podman could not inspect image " + name + ": HTTP " + a.status());
        String id = a.json().path("Id").asString("").replaceFirst("^sha256:", "");
        if (!id.matches("[0-9a-f]{64}")) throw new IOException("Podman gave image " + name + " no id");
        Path config = store().resolve(id).resolve("=" + Base64.getEncoder().encodeToString(("sha256:" + id).getBytes(StandardCharsets.US_ASCII)));
        JsonNode c;
        try (InputStream in = Channels.newInputStream(Files.newByteChannel(config, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            byte[] raw = in.readNBytes(MAX_CONFIG + 1);
            if (raw.length > MAX_CONFIG) throw Refusal.forbidden("the configuration of image " + name + " is over 8 MiB");
            c = Fields.JSON.readTree(raw);
        } catch (NoSuchFileException e) {
            throw new Refusal(503, "Burrow cannot read the configuration of image " + name + " in Podman's store (" + config
                    + "), so not its ONBUILD triggers: the build is refused");
        }
        List<String> out = new ArrayList<>();
        for (String field : List.of("config", "container_config")) {
            for (JsonNode t : c.path(field).path("OnBuild")) out.add(t.asString(""));
        }
        return out;
    }

    /** Where Podman keeps its images' metadata: {@code GRAPHROOT/DRIVER-images}, as its info says. */
    private Path store() throws IOException {
        Path p = images;
        if (p != null) return p;
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/info");
        if (!a.ok()) throw new IOException("Podman could not say where its store is: HTTP " + a.status());
        String root = a.json().path("store").path("graphRoot").asString("");
        String driver = a.json().path("store").path("graphDriverName").asString("");
        if (!root.startsWith("/") || !driver.matches("[a-z0-9]+")) throw new IOException("Podman's info names no store");
        p = Path.of(root).resolve(driver + "-images");
        images = p;
        return p;
    }
}
