// Clients for websocket-fanout.bench.ts, in their own process: connect, subscribe, and record the
// delivery latency of every event against the shared wall clock.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const [url, countText] = process.argv.slice(2);
const count = Number(countText);
const now = () => performance.timeOrigin + performance.now();
const latencies = [];
let received = 0;
const perClient = new Array(count).fill(0);
let open = 0;

for (let index = 0; index < count; index += 1) {
  const socket = new WebSocket(url);
  socket.on('open', () => {
    socket.send(JSON.stringify({ type: 'subscribe' }));
  });
  socket.on('message', (data) => {
    const arrived = now();
    const parsed = JSON.parse(data.toString());
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (message.type === 'subscribed') {
        open += 1;
        if (open === count) process.send({ type: 'ready' });
      }
      if (message.type !== 'worker_activity') continue;
      received += 1;
      perClient[index] += 1;
      // Sampling keeps memory flat at a million deliveries a second.
      if (received % 7 === 0) latencies.push(arrived - message.sent_at);
    }
  });
  socket.on('error', () => {});
}

process.on('message', async (message) => {
  if (message.type !== 'done') return;
  const deadline = Date.now() + 10_000;
  while (received < message.expected * count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  latencies.sort((a, b) => a - b);
  const at = (fraction) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? 0) * 10) / 10;
  process.send({ received, p50: at(0.5), p99: at(0.99), max: at(1), clientsComplete: perClient.filter((value) => value === message.expected).length });
});
