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
    const text = data.toString();
    if (text.includes('"type":"subscribed"')) {
      open += 1;
      if (open === count) process.send({ type: 'ready' });
      return;
    }
    // One process stands in for all clients: a full JSON.parse of a million events a second would
    // measure the parser, not the server. Events are counted by their type marker, and each frame's
    // latency is taken from its oldest event (the first), which is the worst case in the frame.
    let events = 0;
    for (let at = text.indexOf('"type":"worker_activity"'); at !== -1; at = text.indexOf('"type":"worker_activity"', at + 24)) events += 1;
    received += events;
    perClient[index] += events;
    const sent = /"sent_at":([0-9.]+)/.exec(text);
    if (sent && events > 0) latencies.push(arrived - Number(sent[1]));
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
