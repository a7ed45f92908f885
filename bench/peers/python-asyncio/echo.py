"""asyncio echo server: a Protocol whose data_received writes the bytes back.

With --loop uvloop the same code runs on uvloop (libuv under asyncio's API). Reading pauses while the
transport's write buffer is above its high-water mark, so a slow reader gets TCP backpressure.

Usage: python3 echo.py PORT [--loop asyncio|uvloop]
"""
import argparse
import asyncio
import socket
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data):
        self.transport.write(data)

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


async def serve(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, backlog=511)
    print(f"python echo ({type(loop).__module__}) on 127.0.0.1:{port}", file=sys.stderr)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    args = parser.parse_args()
    if not 1 <= args.port <= 65535:
        parser.error(f"port {args.port} is not in 1..65535")
    if args.loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            sys.exit(f"uvloop is not installed for {sys.executable}; run bench/setup-peers.sh")
        uvloop.install()
    asyncio.run(serve(args.port))


if __name__ == "__main__":
    main()
