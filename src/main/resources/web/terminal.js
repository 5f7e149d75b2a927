// The Terminal tab: xterm.js on a WebSocket to a PTY on the server (tmux in the container).
// Bytes go both ways as binary frames; a resize goes as a small JSON text frame.
import { Terminal } from "/static/vendor/xterm.mjs";
import { FitAddon } from "/static/vendor/addon-fit.mjs";

const el = document.getElementById("terminal");
const { session, window: win } = el.dataset;
const term = new Terminal({ cursorBlink: true, fontFamily: "ui-monospace, Menlo, monospace", fontSize: 14, scrollback: 5000 });
const fit = new FitAddon();
term.loadAddon(fit);
term.open(el);
fit.fit();

const FINAL = new Set([4400, 4404, 4409]); // bad window, no session, session stopped: retrying will not help
let ws = null;
const encoder = new TextEncoder();

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${proto}://${location.host}/api/sessions/${session}/terminal?window=${win}&cols=${term.cols}&rows=${term.rows}`);
  ws.binaryType = "arraybuffer";
  ws.onmessage = (m) => term.write(new Uint8Array(m.data));
  ws.onclose = (e) => {
    term.write(`\r\n\x1b[2m[${e.reason || "disconnected"}]\x1b[0m\r\n`);
    // A reconnect re-attaches tmux, which redraws the screen: nothing is replayed twice.
    if (!FINAL.has(e.code)) setTimeout(connect, 2000);
  };
}

function send(d) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(encoder.encode(d)); }

// The key bar (touch screens): keys a phone keyboard lacks. Ctrl is sticky: it turns the next key typed into its control key.
const KEYS = { esc: "\x1b", tab: "\t", up: "\x1b[A", down: "\x1b[B", right: "\x1b[C", left: "\x1b[D", "ctrl-c": "\x03", slash: "/" };
const ctrlButton = document.querySelector("#keybar [data-key=ctrl]");
let ctrl = false;
function setCtrl(on) { ctrl = on; if (ctrlButton) ctrlButton.setAttribute("aria-pressed", String(on)); }
function refit() { fit.fit(); }
const keybar = document.getElementById("keybar");
// Pressing a key of the bar leaves the focus in the terminal: the phone's keyboard stays open, and no
// focus-out/focus-in reports (which tmux asks xterm.js for) wrap the key, where they would swallow a lone Esc.
for (const type of ["pointerdown", "mousedown"]) keybar?.addEventListener(type, (e) => e.preventDefault());
keybar?.addEventListener("click", async (e) => {
  const key = e.target.closest("button")?.dataset.key;
  if (!key) return;
  if (key === "ctrl") setCtrl(!ctrl);
  else if (key === "paste") { try { send(await navigator.clipboard.readText()); } catch { /* no clipboard permission */ } }
  else if (key === "smaller" || key === "larger") {
    term.options.fontSize = Math.max(8, Math.min(28, term.options.fontSize + (key === "larger" ? 2 : -2)));
    refit();
  } else { send(KEYS[key]); setCtrl(false); }
  term.focus();
});

term.onData((d) => {
  if (ctrl && d.length === 1) {
    const c = d.toLowerCase().charCodeAt(0);
    if (c >= 0x61 && c <= 0x7a) d = String.fromCharCode(c - 0x60); // Ctrl+letter
    setCtrl(false);
  }
  send(d);
});
term.onResize(({ cols, rows }) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ cols, rows })); });
window.addEventListener("resize", refit);
// The on-screen keyboard shrinks the visual viewport, not the layout one: the terminal fits what is still visible.
if (window.visualViewport) {
  const fitVisible = () => {
    const top = el.getBoundingClientRect().top + window.scrollY;
    const room = window.visualViewport.height + window.visualViewport.offsetTop - (top - window.scrollY) - 8;
    el.style.height = `${Math.max(160, Math.round(room))}px`;
    refit();
  };
  window.visualViewport.addEventListener("resize", fitVisible);
  if (matchMedia("(pointer: coarse)").matches) fitVisible();
}
connect();
term.focus();
