// Node.js `net`: libuv's epoll loop under JavaScript. socket.pipe(socket) is the idiomatic echo and
// respects backpressure (reading pauses while the socket's write buffer is above its high-water mark).
'use strict';
const net = require('net');

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node echo.js PORT (1..65535)');
  process.exit(2);
}

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy()); // a reset peer: nothing to echo to
  socket.pipe(socket);
});
server.listen({ host: '127.0.0.1', port, backlog: 511 }, () => {
  console.error(`node-net echo on 127.0.0.1:${port}`);
});
