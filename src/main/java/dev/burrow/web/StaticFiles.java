package dev.burrow.web;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The few static files the pages use, from the jar (xterm.js and friends join them later). */
final class StaticFiles {
    private static final Map<String, String> FILES = Map.of(
            "/static/app.css", "text/css",
            "/static/app.js", "text/javascript",
            "/static/icon.svg", "image/svg+xml",
            "/manifest.webmanifest", "application/manifest+json",
            "/sw.js", "text/javascript");

    private StaticFiles() {
    }

    static void register(JavalinConfig cfg) {
        FILES.forEach((path, type) -> {
            byte[] body = read("/web" + path.substring(path.lastIndexOf('/')));
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
