"""Starts a command with a socket handed to it as descriptor 3, the way systemd socket activation does.

usage: hand-socket.py MODE ADDRESS COMMAND...
  MODE     activate: also set LISTEN_FDS=1, LISTEN_PID (this process: exec keeps it) and LISTEN_FDNAMES=echo
           fd:       only hand the descriptor (the command is told its number on its command line)
  ADDRESS  tcp (127.0.0.1, a free port), unix:PATH, bound (a TCP socket bound but not listening) or udp
The socket is made here, so the command inherits a descriptor it did not open.
"""
import os
import socket
import sys

mode, address, command = sys.argv[1], sys.argv[2], sys.argv[3:]
if address == "tcp" or address == "bound":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
elif address == "udp":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
elif address.startswith("unix:"):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(address[len("unix:"):])
else:
    sys.exit(f"hand-socket.py: unknown address '{address}'; use tcp, unix:PATH, bound or udp")
if address in ("tcp",) or address.startswith("unix:"):
    sock.listen(128)
if sock.fileno() != 3:
    os.dup2(sock.fileno(), 3)
os.set_inheritable(3, True)  # the socket may already be 3, and sockets are born close-on-exec
if mode == "activate":
    os.environ["LISTEN_FDS"] = "1"
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDNAMES"] = "echo"
os.execvp(command[0], command)
