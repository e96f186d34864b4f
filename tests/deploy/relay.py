"""Standard input and output to a TCP address: QEMU's ``guestfwd=...-cmd:`` runs this once per
connection the guest opens, so that the VM (whose network has no way out, ``restrict=on``) reaches
exactly the host services the test gives it (the reference server, the receipt printer).

    python relay.py HOST PORT
"""

from __future__ import annotations

import os
import selectors
import socket
import sys


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    sock = socket.create_connection((host, port), timeout=10)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(stdin, selectors.EVENT_READ, "in")
    sel.register(sock, selectors.EVENT_READ, "sock")
    open_ends = 2
    while open_ends:
        for key, _ in sel.select():
            if key.data == "in":
                data = os.read(stdin, 65536)
                if not data:
                    sel.unregister(stdin)
                    open_ends -= 1
                    sock.shutdown(socket.SHUT_WR)
                else:
                    sock.sendall(data)
            else:
                data = sock.recv(65536)
                if not data:
                    sel.unregister(sock)
                    open_ends -= 1
                    os.close(stdout)
                else:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(stdout, view) :]
    return 0


if __name__ == "__main__":
    sys.exit(main())
