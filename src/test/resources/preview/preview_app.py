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


def rest_of(c, f):
    """Every byte that reaches the app after the head, within a second and a half."""
    c.settimeout(1.5)
    rest = b""
    try:
        while True:
            chunk = f.read1(65536)
            if not chunk:
                break
            rest += chunk
    except OSError:
        pass
    c.settimeout(None)
    return rest


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
    if path == "/keep":
        # Answers without taking the upgrade it was asked for, keeps the connection, and echoes whatever comes next.
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        rest = rest_of(c, f)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(rest) + rest)
        c.close()
        return
    if path == "/early":
        # An interim answer, then a final one: both try to set Burrow's login cookie.
        c.sendall(b"HTTP/1.1 103 Early Hints\r\nSet-Cookie: burrow_session=from-the-box-103; Path=/\r\n\r\n"
                  b"HTTP/1.1 200 OK\r\nSet-Cookie: burrow_session=from-the-box-200; Path=/\r\nContent-Length: 5\r\nConnection: close\r\n\r\nearly")
        c.close()
        return
    if path == "/sneaky-101":
        c.sendall(b"HTTP/1.1 101 Switching Protocols\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: burrow_session=from-the-box-101; Path=/\r\n"
                  b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
        c.close()
        return
    if path == "/bare-cr":
        # A bare CR that a browser would read as a line break, hiding a header from a filter that does not.
        c.sendall(b"HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: burrow_session=from-the-box-cr; Path=/\r\nContent-Length: 2\r\nConnection: close\r\n\r\ncr")
        c.close()
        return
    if path == "/big":
        # 8 MiB, in pieces: the proxy must stream it, not hold it.
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (8 << 20))
        for _ in range(128):
            c.sendall(b"x" * 65536)
        c.close()
        return
    if path == "/upload":
        length = int([l.split(":", 1)[1] for l in text.split("\r\n") if l.lower().startswith("content-length")][0])
        got = 0
        while got < length:
            chunk = f.read(min(65536, length - got))
            if not chunk:
                break
            got += len(chunk)
        body = b"received %d" % got
    elif path == "/headers":
        body = head
    elif path == "/rest":
        # Every byte that reaches the app after the head, within a second and a half: the announced body, and nothing after it.
        body = b"rest=" + rest_of(c, f)
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
