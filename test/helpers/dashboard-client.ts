import WebSocket from 'ws';

export interface DashboardClient {
  socket: WebSocket;
  /** Every message received so far, batches flattened. */
  messages: Record<string, unknown>[];
  send(message: Record<string, unknown>): void;
  /** Resolves once a message of this type has arrived (or rejects after `timeoutMs`). */
  waitFor(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

/** Connects to a dashboard URL (`http://host:port/?token=...`) the way the page does. */
export async function openDashboardClient(dashboardUrl: string): Promise<DashboardClient> {
  const url = new URL(dashboardUrl);
  const socket = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => {
    const parsed = JSON.parse(data.toString()) as Record<string, unknown> | Record<string, unknown>[];
    messages.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    send: (message) => socket.send(JSON.stringify(message)),
    waitFor: async (type, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((message) => message.type === type);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no "${type}" message within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => socket.close(),
  };
}
