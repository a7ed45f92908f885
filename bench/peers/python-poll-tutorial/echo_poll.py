"""The tutorial's select.poll() echo server, ported from Python 2 to Python 3.

Kept as the tutorial wrote it, faults included, so a benchmark measures what a reader of the
tutorial would actually run:
  * one poll() loop, level-triggered, a 1000 ms timeout;
  * listen(5): a burst of connections overflows the accept queue and the kernel drops handshakes,
    so late connections wait out SYN retransmissions (here a 0.2 s `iomux bench -c 50` run took
    4.5 to 7.9 s, against 0.5 s on the C server), and with -c 500 hundreds of connections that the
    client saw established were never accepted within the run;
  * one accept per readable listener, one recv(1024) per readable socket per loop;
  * a queue.Queue (a lock per put/get) per connection, one message sent per POLLOUT event;
  * the if/elif chain: a socket both readable and writable is only read that time round;
  * POLLHUP closes the socket but leaves its message queue behind (a leak per hung-up client);
  * fd_to_socket is never cleaned (closed sockets stay referenced until the fd number is reused).
  * no error handling: a client that resets its connection (recv raising ConnectionResetError)
    ends the whole server, as it would the original. iomux bench closes cleanly after draining.

Changed, each because the original cannot echo correctly or cannot run here otherwise:
  * Python 3 syntax (print(), queue, bytes);
  * it binds 127.0.0.1:PORT instead of the hard-coded 192.168.1.102:10001;
  * s.send() may take only part of a message (or raise BlockingIOError when the socket buffer is
    full); the original loses the rest (or dies on EAGAIN). The unsent tail is kept and sent first
    next time;
  * the tracing prints (every event, every message with its bytes) run only with --verbose: they
    would otherwise measure terminal I/O rather than poll().

Usage: python3 echo_poll.py PORT [--verbose]
"""
import queue
import select
import socket
import sys

if len(sys.argv) not in (2, 3) or not sys.argv[1].isdigit() or not 1 <= int(sys.argv[1]) <= 65535 \
        or (len(sys.argv) == 3 and sys.argv[2] != "--verbose"):
    sys.exit("usage: echo_poll.py PORT (1..65535) [--verbose]")
VERBOSE = len(sys.argv) == 3


def trace(*parts):
    if VERBOSE:
        print(*parts)


# Create a TCP/IP socket, and then bind and listen
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setblocking(False)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server_address = ("127.0.0.1", int(sys.argv[1]))

print("Starting up on %s port %s" % server_address, file=sys.stderr)
server.bind(server_address)
server.listen(5)
message_queues = {}
# What a partial send left over, sent before the next queued message (not in the tutorial).
unsent = {}
# The timeout value is represented in milliseconds, instead of seconds.
timeout = 1000
# Create a limit for the event
READ_ONLY = (select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR)
READ_WRITE = (READ_ONLY | select.POLLOUT)
# Set up the poller
poller = select.poll()
poller.register(server, READ_ONLY)
# Map file descriptors to socket objects
fd_to_socket = {server.fileno(): server, }
while True:
    trace("Waiting for the next event")
    events = poller.poll(timeout)
    trace("*" * 20)
    trace(len(events))
    trace(events)
    trace("*" * 20)
    for fd, flag in events:
        s = fd_to_socket[fd]
        if flag & (select.POLLIN | select.POLLPRI):
            if s is server:
                # A readable socket is ready to accept a connection
                connection, client_address = s.accept()
                trace(" Connection ", client_address)
                connection.setblocking(False)

                fd_to_socket[connection.fileno()] = connection
                poller.register(connection, READ_ONLY)

                # Give the connection a queue to send data
                message_queues[connection] = queue.Queue()
            else:
                data = s.recv(1024)
                if data:
                    # A readable client socket has data
                    trace("  received %s from %s " % (data, s.getpeername()))
                    message_queues[s].put(data)
                    poller.modify(s, READ_WRITE)
                else:
                    # Close the connection
                    trace("  closing", s.getpeername())
                    # Stop listening for input on the connection
                    poller.unregister(s)
                    s.close()
                    del message_queues[s]
                    unsent.pop(s, None)
        elif flag & select.POLLHUP:
            # A client that "hang up" , to be closed.
            trace(" Closing ", s.getpeername(), "(HUP)")
            poller.unregister(s)
            s.close()
        elif flag & select.POLLOUT:
            # Socket is ready to send data , if there is any to send
            try:
                next_msg = unsent.pop(s) if s in unsent else message_queues[s].get_nowait()
            except queue.Empty:
                # No messages waiting so stop checking
                trace(s.getpeername(), " queue empty")
                poller.modify(s, READ_ONLY)
            else:
                trace(" sending %s to %s" % (next_msg, s.getpeername()))
                try:
                    sent = s.send(next_msg)
                except BlockingIOError:
                    sent = 0
                if sent < len(next_msg):
                    unsent[s] = next_msg[sent:]
        elif flag & select.POLLERR:
            # Any events with POLLERR cause the server to close the socket
            trace("  exception on", s.getpeername())
            poller.unregister(s)
            s.close()
            del message_queues[s]
            unsent.pop(s, None)
