// Burrow's browser code, kept thin: pages are rendered on the server, and this only applies
// server-rendered fragments from an event stream, sends messages, and raises notifications.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

function sessionPage(section) {
  const id = section.dataset.session;
  const transcript = document.getElementById("transcript"); // only on the Transcript tab
  let last = Number(section.dataset.after || 0);
  let source = null;
  let wasRunning = false;

  // A tool's output joins the card of the call that made it.
  const placeResult = (node) => {
    node.querySelectorAll(".tool-result[data-tool-id]").forEach((r) => {
      const card = transcript.querySelector(`.tool[data-tool-id="${CSS.escape(r.dataset.toolId)}"] .slot`);
      if (card) card.appendChild(r);
    });
  };
  // A setup step's output joins the running step of its name before it; its end takes that step's place.
  const placeSetup = (node) => {
    node.querySelectorAll(".setup-chunk[data-setup], details.setup[data-setup-end]").forEach((x) => {
      const chunk = x.classList.contains("setup-chunk");
      const name = chunk ? x.dataset.setup : x.dataset.setupEnd;
      let step = null;
      transcript.querySelectorAll(`details.setup.running[data-setup="${CSS.escape(name)}"]`).forEach((r) => {
        if (r.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING) step = r;
      });
      x.removeAttribute(chunk ? "data-setup" : "data-setup-end");
      if (!step) return;
      const holder = x.parentElement;
      if (chunk) {
        step.querySelector("pre").textContent += x.textContent;
        x.remove();
      } else {
        step.replaceWith(x);
      }
      if (holder && holder.classList.contains("ev") && !holder.children.length) holder.hidden = true;
    });
  };
  if (transcript) {
    placeResult(transcript);
    placeSetup(transcript);
  }

  const nearBottom = () => window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;

  const connect = () => {
    if (source) source.close();
    // On reconnects the browser sends Last-Event-ID itself; ?after covers a fresh EventSource.
    source = new EventSource(`/sessions/${id}/stream?after=${last}`);
    source.addEventListener("event", (msg) => {
      const ev = JSON.parse(msg.data);
      if (ev.seq <= last) return; // already shown: never doubled
      last = ev.seq;
      // Claude Code's Notification hook (terminal mode): "Claude needs your input".
      if (ev.notify && document.hidden) notify(ev.notify, section);
      if (!transcript) return;
      const stick = nearBottom();
      const holder = document.createElement("div");
      holder.innerHTML = ev.html;
      const node = holder.firstElementChild;
      transcript.appendChild(node);
      placeResult(transcript);
      placeSetup(transcript);
      if (stick) window.scrollTo(0, document.body.scrollHeight);
    });
    source.addEventListener("state", (msg) => {
      const st = JSON.parse(msg.data);
      document.getElementById("session-header").innerHTML = st.html;
      if (wasRunning && st.state !== "running" && document.hidden) notify("Claude is waiting for you", section);
      wasRunning = st.state === "running";
    });
    source.onerror = () => {
      // A closed stream (server restarted, phone slept) is reopened from the last event shown.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    };
  };
  connect();
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && (!source || source.readyState === EventSource.CLOSED)) connect();
  });

  const form = document.getElementById("message-form");
  const box = document.getElementById("message");
  if (!form) return;
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = box.value;
    if (!text.trim()) return;
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
    const res = await fetch(`/api/sessions/${id}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ text }),
    });
    if (res.ok) {
      box.value = "";
    } else {
      const body = await res.json().catch(() => ({ error: res.statusText }));
      alert(body.error);
    }
  });
}

function notify(text, section) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const title = section.querySelector("h1")?.textContent || "Burrow";
  new Notification(title, { body: text, tag: section.dataset.session });
}

// Settings: "Notify this device" subscribes this browser to Burrow's pushes.
function pushSettings(section) {
  const button = document.getElementById("notify-device");
  const status = document.getElementById("push-status");
  const say = (text) => { status.textContent = text; };
  if (!window.isSecureContext || !("serviceWorker" in navigator) || !("PushManager" in window)) {
    button.disabled = true;
    say(window.isSecureContext ? "This browser cannot get pushes (on an iPhone, open Burrow from the home screen)."
      : "Pushes need HTTPS (tailscale serve) or localhost; this page is plain HTTP.");
    return;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== "granted") throw new Error("notifications are not allowed for this site");
      const reg = await navigator.serviceWorker.ready;
      const key = Uint8Array.from(atob(section.dataset.key.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      const res = await fetch("/api/push/subscriptions", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify(sub.toJSON()),
      });
      if (!res.ok) throw new Error((await res.json().catch(() => ({ error: res.statusText }))).error);
      location.reload();
    } catch (e) {
      say("Could not subscribe: " + e.message);
      button.disabled = false;
    }
  });
}

// Live preview: the ports programs listen on in the session's container, each opening its preview.
function previewPorts(bar) {
  const refresh = async () => {
    if (document.hidden) return;
    const res = await fetch(bar.dataset.ports).catch(() => null);
    if (!res || !res.ok) return;
    const ports = await res.json();
    bar.replaceChildren();
    if (ports.length) bar.append("Preview: ");
    for (const p of ports) {
      const a = document.createElement("a");
      a.href = p.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.className = p.listening ? "port" : "port waiting";
      if (!p.listening) a.title = "nothing listens on " + p.port + " yet";
      a.textContent = (p.label ? p.label + " (" + p.port + ")" : String(p.port)) + " \u2197";
      bar.append(a, " ");
    }
    bar.hidden = ports.length === 0;
  };
  refresh();
  setInterval(refresh, 5000);
}

function sessionList(list) {
  setInterval(async () => {
    if (document.hidden) return;
    const res = await fetch(list.dataset.refresh);
    if (res.ok) list.innerHTML = await res.text();
  }, 3000);
}

document.addEventListener("DOMContentLoaded", () => {
  const section = document.querySelector("section.session[data-session]");
  if (section) sessionPage(section);
  const list = document.getElementById("sessions");
  if (list) sessionList(list);
  const ports = document.getElementById("ports");
  if (ports) previewPorts(ports);
  const push = document.getElementById("push");
  if (push) pushSettings(push);
  const create = document.getElementById("new-session");
  if (create) create.addEventListener("submit", () => {
    create.querySelector(".progress").hidden = false;
    create.querySelector("button").disabled = true;
  });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
});
