"""A dev server as an agent would start one, for PreviewIT: a page whose script opens a
WebSocket back to it (like a hot-reload client) and shows the echo, /headers (what reached it),
and /set-cookies (an app that tries to set Burrow's login cookie and clear the site's)."""
import base64
import hashlib
import socket
import sys
import threading

PAGE = b"""<!doctype html><title>app in the box</title><h1 id=t>preview works</h1><p id=ws>waiting</p>
<script>
const w = new WebSocket('ws://' + location.host + '/hmr');
w.onopen = () => w.send('ping');
w.onmessage = (m) => { document.getElementById('ws').textContent = 'echo: ' + m.data; };
</script>"""


def handle(c):
    f = c.makefile("rb")
    head = b""
    while True:
        line = f.readline()
        if not line or line in (b"\r\n", b"\n"):
            break
        head += line
    text = head.decode("latin-1")
    path = text.split(" ")[1] if " " in text else "/"
    extra = ""
    if path == "/hmr":
        key = [l.split(":", 1)[1].strip() for l in text.split("\r\n") if l.lower().startswith("sec-websocket-key")][0]
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
        first = f.read(2)
        n = first[1] & 0x7F
        mask = f.read(4)
        data = bytes(x ^ mask[i % 4] for i, x in enumerate(f.read(n)))
        c.sendall(bytes([0x81, len(data)]) + data)
        f.read(2)
        c.close()
        return
    if path == "/headers":
        body = head
    elif path == "/set-cookies":
        body = b"cookies set"
        extra = 'Set-Cookie: burrow_session=from-the-box; Path=/\r\nSet-Cookie: app_cookie=kept; Path=/\r\nClear-Site-Data: "cookies"\r\n'
    else:
        body = PAGE
    c.sendall(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n" % (len(body), extra)).encode() + body)
    c.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(16)
while True:
    conn, _ = server.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
