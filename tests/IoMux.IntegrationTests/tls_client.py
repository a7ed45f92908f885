"""A TLS echo client no one here wrote the TLS of: Python's ssl. Sends SIZE random bytes, half-closes (TCP FIN under
TLS, no close_notify), reads the echo until the server's close, and prints: <protocol> <bytes received> <intact>.
One thread, non-blocking: an SSL object must not be read and written from two threads at once."""
import hashlib
import os
import selectors
import socket
import ssl
import sys
import time

port, size = int(sys.argv[1]), int(sys.argv[2])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
tls = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=60), server_hostname="localhost")
tls.setblocking(False)
data = memoryview(os.urandom(size))
sent, count, received = 0, 0, hashlib.sha256()
half_closed = False
selector = selectors.DefaultSelector()
selector.register(tls, selectors.EVENT_READ | selectors.EVENT_WRITE)
deadline = time.monotonic() + 120
while True:
    if time.monotonic() > deadline:
        sys.exit(f"stalled: sent {sent}, received {count}")
    selector.select(timeout=1)
    while sent < size:
        try:
            sent += tls.send(data[sent:sent + (1 << 16)])
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
            break
    if sent == size and not half_closed:
        socket.socket.shutdown(tls, socket.SHUT_WR)  # the plain socket's half-close, under the TLS session
        half_closed = True
        selector.modify(tls, selectors.EVENT_READ)
    done = False
    while True:
        try:
            chunk = tls.recv(1 << 20)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            break
        if not chunk:
            done = True
            break
        received.update(chunk)
        count += len(chunk)
    if done:
        break
print(tls.version(), count, received.digest() == hashlib.sha256(data).digest())
