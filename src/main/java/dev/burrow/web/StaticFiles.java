package dev.burrow.web;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The static files the pages use, from the jar: Burrow's own and xterm.js (from npm at build time). */
final class StaticFiles {
    private record File(String resource, String type) {
    }

    private static final Map<String, File> FILES = Map.of(
            "/static/app.css", new File("/web/app.css", "text/css"),
            "/static/app.js", new File("/web/app.js", "text/javascript"),
            "/static/terminal.js", new File("/web/terminal.js", "text/javascript"),
            "/static/icon.svg", new File("/web/icon.svg", "image/svg+xml"),
            "/static/vendor/xterm.mjs", new File("/web/vendor/xterm/lib/xterm.mjs", "text/javascript"),
            "/static/vendor/xterm.css", new File("/web/vendor/xterm/css/xterm.css", "text/css"),
            "/static/vendor/addon-fit.mjs", new File("/web/vendor/addon-fit/lib/addon-fit.mjs", "text/javascript"),
            "/manifest.webmanifest", new File("/web/manifest.webmanifest", "application/manifest+json"),
            "/sw.js", new File("/web/sw.js", "text/javascript"));

    private StaticFiles() {
    }

    static void register(JavalinConfig cfg) {
        FILES.forEach((path, file) -> {
            byte[] body = read(file.resource());
            String type = file.type();
            cfg.routes.get(path, ctx -> {
                ctx.contentType(type + (type.startsWith("text/") ? "; charset=utf-8" : ""));
                ctx.header("Cache-Control", "no-cache");
                ctx.result(body);
            });
        });
    }

    private static byte[] read(String resource) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
