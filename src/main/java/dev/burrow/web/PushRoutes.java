package dev.burrow.web;

import dev.burrow.push.PushSender;
import dev.burrow.push.VapidKeys;
import dev.burrow.store.PushStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The devices that get pushes: the VAPID key a browser subscribes with, its subscription kept
 * and revoked (the API and the Settings page's "Notify this device" section).
 */
final class PushRoutes {
    private final PushStore store;
    private final VapidKeys keys;

    PushRoutes(PushStore store, VapidKeys keys) {
        this.store = Objects.requireNonNull(store);
        this.keys = Objects.requireNonNull(keys);
    }

    void register(JavalinConfig cfg) {
        cfg.routes.get("/api/push/key", ctx -> Json.send(ctx, 200, Json.MAPPER.createObjectNode().put("key", keys.publicKeyBase64Url())));
        cfg.routes.get("/api/push/subscriptions", ctx -> {
            var list = Json.MAPPER.createArrayNode();
            store.all().forEach(d -> list.add(json(d)));
            Json.send(ctx, 200, list);
        });
        cfg.routes.post("/api/push/subscriptions", this::subscribe);
        cfg.routes.delete("/api/push/subscriptions/{id}", ctx -> {
            if (!store.remove(ctx.pathParam("id"))) throw new ApiError(404, "no device " + ctx.pathParam("id") + " gets pushes; see GET /api/push/subscriptions");
            ctx.status(204);
        });
        cfg.routes.post("/settings/push/{id}/revoke", ctx -> {
            store.remove(ctx.pathParam("id"));
            ctx.redirect("/settings");
        });
    }

    /** A browser's PushSubscription as its toJSON() gives it: endpoint and keys.p256dh, keys.auth. */
    private void subscribe(Context ctx) {
        JsonNode body = Json.body(ctx);
        String endpoint = Json.field(body, "endpoint");
        JsonNode k = body.get("keys");
        if (k == null || !k.isObject()) throw new ApiError(400, "\"keys\" with \"p256dh\" and \"auth\" is required (a browser PushSubscription's JSON)");
        String p256dh = Json.field(k, "p256dh");
        String auth = Json.field(k, "auth");
        try {
            // Checked as they will be used: an https endpoint (loopback http for local tools), a P-256 point, a 16-byte secret.
            PushSender.Subscription.parse(endpoint, p256dh, auth);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "not a usable push subscription: " + e.getMessage());
        }
        if (endpoint.length() > 2048) throw new ApiError(400, "the endpoint is longer than 2048 characters");
        PushStore.Device d = store.put(endpoint, p256dh, auth, deviceName(ctx.userAgent()), Instant.now())
                .orElseThrow(() -> new ApiError(409, PushStore.MAX_DEVICES + " devices get pushes already; revoke one in Settings first"));
        Json.send(ctx, 201, json(d));
    }

    private static ObjectNode json(PushStore.Device d) {
        return Json.MAPPER.createObjectNode().put("id", d.id()).put("device", d.device()).put("endpointHost", URI.create(d.endpoint()).getHost())
                .put("createdAt", d.createdAt().toString()).put("lastPushAt", d.lastPushAt() == null ? null : d.lastPushAt().toString());
    }

    /** "Chrome on Android" and the like, for the Settings list. */
    static String deviceName(String userAgent) {
        String ua = userAgent == null ? "" : userAgent.toLowerCase(Locale.ROOT);
        String os = ua.contains("android") ? "Android" : ua.contains("iphone") ? "iPhone" : ua.contains("ipad") ? "iPad"
                : ua.contains("mac os") ? "macOS" : ua.contains("windows") ? "Windows" : ua.contains("linux") ? "Linux" : "a device";
        String browser = ua.contains("edg/") ? "Edge" : ua.contains("firefox/") ? "Firefox" : ua.contains("chrom") ? "Chrome"
                : ua.contains("safari/") ? "Safari" : "a browser";
        return browser + " on " + os;
    }

    /** The Settings page's section: this device's button and every device that gets pushes. */
    String settingsSection(String csrf) {
        StringBuilder b = new StringBuilder("<section class=\"card\" id=\"push\" data-key=\"").append(Html.esc(keys.publicKeyBase64Url()))
                .append("\"><h1>Notifications</h1><p class=\"meta\">A push when a turn ends, when Claude needs you and when a session fails."
                        + " Needs HTTPS (<code>tailscale serve</code>) or localhost; on an iPhone, add Burrow to the home screen first.</p>"
                        + "<p><button type=\"button\" id=\"notify-device\">Notify this device</button> <span id=\"push-status\" class=\"meta\"></span></p>"
                        + "<ul class=\"devices\">");
        for (PushStore.Device d : store.all()) {
            b.append("<li><b>").append(Html.esc(d.device())).append("</b> <span class=\"meta\">via ").append(Html.esc(URI.create(d.endpoint()).getHost()))
                    .append(", since ").append(Pages.age(d.createdAt())).append(d.lastPushAt() == null ? ", no push yet" : ", last push " + Pages.age(d.lastPushAt()))
                    .append("</span> ").append(Html.form("/settings/push/" + d.id() + "/revoke", csrf, "Revoke", "danger")).append("</li>");
        }
        return b.append("</ul></section>").toString();
    }
}
