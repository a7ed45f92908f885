"""A TLS echo client no one here wrote the TLS of: Python's ssl. Sends SIZE random bytes, half-closes (TCP FIN under
TLS, no close_notify), reads the echo until the server's close, and prints: <protocol> <bytes received> <intact>."""
import hashlib
import os
import socket
import ssl
import sys
import threading

port, size = int(sys.argv[1]), int(sys.argv[2])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
tls = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=60), server_hostname="localhost")
data = os.urandom(size)


def send():
    tls.sendall(data)
    socket.socket.shutdown(tls, socket.SHUT_WR)  # the plain socket's half-close, under the TLS session


sender = threading.Thread(target=send)
sender.start()
received = hashlib.sha256()
count = 0
while True:
    chunk = tls.recv(1 << 20)
    if not chunk:
        break
    received.update(chunk)
    count += len(chunk)
sender.join()
print(tls.version(), count, received.digest() == hashlib.sha256(data).digest())
