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

term.onData((d) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(encoder.encode(d)); });
term.onResize(({ cols, rows }) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ cols, rows })); });
window.addEventListener("resize", () => fit.fit());
connect();
term.focus();
