package dev.burrow.environment;

import dev.burrow.siblings.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An environment's local features (devcontainer.json's {@code "./NAME": {options}}), installed
 * on its image as the spec says: each feature's install.sh run as root in its own folder, with
 * its options (devcontainer-feature.json's defaults, then the config's values) as variables of
 * upper-case names from a devcontainer-features.env beside it. The build is a Containerfile of
 * Burrow's writing, uploaded with the config's folder to the session's guarded build: no value
 * of the repository's is in a line Burrow writes but the feature's folder name, checked.
 */
final class Features {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String DIR = "burrow-features";

    private Features() {
    }

    /** The features' Containerfile on {@code source}, and the files beside it, as tar entries (path to content). */
    static Map<String, String> files(Environment env, RepoFiles repo, String source) {
        String base = configDir(env);
        StringBuilder cf = new StringBuilder("FROM ").append(source).append("\nUSER root\n");
        Map<String, String> files = new LinkedHashMap<>();
        int n = 0;
        for (Environment.Feature f : env.features()) {
            String inside = base.isEmpty() ? f.path() : f.path().startsWith(base + "/") ? f.path().substring(base.length() + 1) : null;
            if (inside == null || !inside.matches("[A-Za-z0-9._/-]+")) {
                throw new EnvironmentException(env.config() + ": the feature " + f.path() + " must be a folder beside it, named with letters, digits and ._-");
            }
            Map<String, String> options = options(f, repo);
            if (repo.read(f.path() + "/install.sh", EnvironmentFinder.MAX_CONFIG).isEmpty()) {
                throw new EnvironmentException(env.config() + ": the feature " + f.path() + " has no install.sh");
            }
            options.put("_REMOTE_USER", env.user() == null ? "agent" : env.user());
            options.put("_CONTAINER_USER", env.user() == null ? "agent" : env.user());
            StringBuilder vars = new StringBuilder();
            options.forEach((k, v) -> vars.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
            files.put(DIR + "/" + n + ".env", vars.toString());
            String at = "/tmp/" + DIR + "/" + n;
            cf.append("COPY ").append(inside).append(' ').append(at).append('\n');
            cf.append("COPY ").append(DIR).append('/').append(n).append(".env ").append(at).append("/devcontainer-features.env\n");
            cf.append("RUN cd ").append(at).append(" && chmod +x install.sh && set -a && . ./devcontainer-features.env && set +a && ./install.sh\n");
            n++;
        }
        cf.append("RUN rm -rf /tmp/").append(DIR).append('\n');
        files.put(DIR + "/Containerfile", cf.toString());
        return files;
    }

    static String configDir(Environment env) {
        return env.config().contains("/") ? env.config().substring(0, env.config().lastIndexOf('/')) : "";
    }

    /** devcontainer-feature.json's option defaults, then the config's values; names as the spec makes them (upper case, word characters). */
    static Map<String, String> options(Environment.Feature f, RepoFiles repo) {
        byte[] meta = repo.read(f.path() + "/devcontainer-feature.json", EnvironmentFinder.MAX_CONFIG)
                .orElseThrow(() -> new EnvironmentException("the feature " + f.path() + " has no devcontainer-feature.json"));
        JsonNode root;
        try {
            root = JSON.readTree(meta);
        } catch (JacksonException e) {
            throw new EnvironmentException(f.path() + "/devcontainer-feature.json is not valid JSON: " + e.getOriginalMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var o : root.path("options").properties()) {
            JsonNode d = o.getValue().get("default");
            if (d != null && !d.isNull()) out.put(name(o.getKey()), d.asText());
        }
        f.options().forEach((k, v) -> out.put(name(k), v));
        for (String v : out.values()) {
            if (v.contains("\n") || v.contains("\u0000")) throw new EnvironmentException("the feature " + f.path() + " has an option of more than one line");
        }
        return out;
    }

    private static String name(String option) {
        String n = option.replaceAll("[^\\w]", "_").toUpperCase(Locale.ROOT);
        if (!n.matches("[A-Z_][A-Z0-9_]*")) n = "_" + n;
        return n;
    }

    /**
     * The context: the config's folder as git archive wrote it, its end-of-archive blocks left off,
     * then Burrow's files. Entries of the archive are copied whole, header and data, never read.
     */
    static void context(Path archive, Map<String, String> files, Path out) throws IOException {
        try (InputStream in = Files.newInputStream(archive); OutputStream o = Files.newOutputStream(out)) {
            byte[] h = new byte[512];
            while (in.readNBytes(h, 0, 512) == 512) {
                boolean zero = true;
                for (byte b : h) {
                    if (b != 0) {
                        zero = false;
                        break;
                    }
                }
                if (zero) break;
                long size = octal(h, 124, 12);
                o.write(h);
                long data = (size + 511) / 512 * 512;
                byte[] buf = new byte[64 * 1024];
                while (data > 0) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, data));
                    if (r < 0) throw new IOException("the build context's archive ended early");
                    o.write(buf, 0, r);
                    data -= r;
                }
            }
            TarWriter w = new TarWriter(o);
            w.directory(DIR, 0755, 0);
            for (var e : files.entrySet()) {
                byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
                w.file(e.getKey(), 0644, 0, b.length, new ByteArrayInputStream(b));
            }
            w.finish();
        }
    }

    private static long octal(byte[] h, int off, int len) throws IOException {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int c = h[i] & 0xff;
            if (c == 0 || c == ' ') {
                if (v > 0 || i > off) break;
                continue;
            }
            if (c < '0' || c > '7') throw new IOException("a tar header of git archive's that Burrow does not read");
            v = v * 8 + (c - '0');
        }
        return v;
    }

    /** For the environment's key: each feature's folder and options. */
    static void key(Environment env, RepoFiles repo, StringBuilder sb) {
        for (Environment.Feature f : env.features()) {
            sb.append("feature ").append(f.path()).append(' ').append(repo.id(f.path()).orElse("-"));
            new java.util.TreeMap<>(f.options()).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            sb.append('\n');
        }
    }
}
