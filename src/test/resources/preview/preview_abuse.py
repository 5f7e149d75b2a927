"""What a hostile agent does to Burrow's preview socket, for PreviewIT: it speaks as the
forwarder with a line far over the limit and a list of thousands of ports, claims data
connections Burrow never asked for, opens hundreds of connections and holds them, and sends
nothing on others. It prints what it saw; the test asserts on Burrow's side."""
import os
import socket
import sys
import time

SOCK = "/run/burrow-net/preview.sock"
HELLO = b"burrow-preview 1 "


def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    return s


def closed_by_burrow(s, wait=3):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


long_line = conn()
long_line.sendall(HELLO + b"control\n" + b"ports " + b" ".join(str(p).encode() for p in range(1, 5000)) + b"\n")
print("control with a long ports line closed:", closed_by_burrow(long_line))

control = conn()
control.sendall(HELLO + b"control\nports " + b" ".join(str(p).encode() for p in range(9000, 9100)) + b"\n")

held = []
for i in range(300):
    try:
        s = conn()
        s.sendall(HELLO + b"data " + os.urandom(16).hex().encode() + b" ok\n")
        held.append(s)
    except OSError:
        break
time.sleep(2)
open_after = sum(1 for s in held if not closed_by_burrow(s, 0.01))
print("claimed data connections:", len(held), "still open:", open_after)

silent = [conn() for _ in range(20)]
time.sleep(12)
print("silent connections closed:", sum(1 for s in silent if closed_by_burrow(s, 0.5)), "of", len(silent))
sys.stdout.flush()
time.sleep(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
