// Makes Burrow installable and shows its pushes. It caches nothing: every page is live server state.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", () => {});

// A push from Burrow: {title, body, url, tag, from}. Every push shows a notification (browsers
// require it); one per session is kept, the newest.
self.addEventListener("push", (event) => {
  let msg = {};
  try {
    msg = event.data ? event.data.json() : {};
  } catch (e) {
    msg = { body: event.data ? event.data.text() : "" };
  }
  const url = sameOrigin(msg.url);
  event.waitUntil(self.registration.showNotification(msg.title || "Burrow", {
    body: msg.body || "",
    tag: msg.tag || "burrow",
    renotify: true,
    icon: "/static/icon.svg",
    data: { url },
  }));
});

// Opens the session: in a Burrow window already open when there is one, else in a new one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(event.notification));
});

async function openFromNotification(notification) {
  const url = sameOrigin(notification.data && notification.data.url);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const w of windows) {
    if (new URL(w.url).origin !== self.location.origin) continue;
    const moved = await w.navigate(url).catch(() => null);
    if (moved) {
      await moved.focus().catch(() => {});
      return;
    }
  }
  await self.clients.openWindow(url);
}

// Only this origin's pages are opened, whatever a push says.
function sameOrigin(path) {
  try {
    const u = new URL(path || "/", self.location.origin);
    return u.origin === self.location.origin ? u.href : self.location.origin + "/";
  } catch (e) {
    return self.location.origin + "/";
  }
}
