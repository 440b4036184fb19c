import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardServer, type DashboardServer } from '../../src/events/dashboard-server.js';
import type { EventSource } from '../../src/events/workspace-event-source.js';
import type { StoredEvent } from '../../src/store/event-records.js';

const chromiumPath = process.env.AP_CHROMIUM ?? '/usr/bin/chromium';
interface PageDocument {
  document: { querySelectorAll(selector: string): { length: number } };
}

/** Counts elements inside the page; runs in the browser, so it only uses what it is given. */
const countIs = ([selector, expected]: [string, number]) => (globalThis as unknown as PageDocument).document.querySelectorAll(selector).length === expected;

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** A finished run with 20 workers and 10,000 events, held in memory. */
function bigRun(): StoredEvent[] {
  const events: StoredEvent[] = [];
  const add = (type: string, payload: Record<string, unknown>) => events.push({ seq: events.length + 1, runId: 'run-big', type, timestamp: new Date().toISOString(), payload: { run_id: 'run-big', ...payload } });
  const objectives = Array.from({ length: 20 }, (_unused, index) => ({ id: `o${index}`, title: `Objective ${index}`, wave: 1, depends_on: [], agent: 'auto' }));
  add('run_started', { request: 'load test', waves: [{ wave: 1, objectives: objectives.map((objective) => objective.id) }], objectives, workers: [], integration_branch: 'ap/run-big' });
  for (let index = 0; index < 20; index += 1) add('objective_started', { objective_id: `o${index}`, worker_id: `worker-${index}` });
  while (events.length < 9_980) {
    const worker = events.length % 20;
    add('worker_activity', { worker_id: `worker-${worker}`, activity_type: 'tool_use', tool_name: events.length % 3 === 0 ? 'write_file' : 'read_file', description: `<b>Editing</b> src/m${worker}/file${events.length}.ts`, file_path: `src/m${worker}/file${events.length}.ts` });
  }
  for (let index = 0; index < 20; index += 1) add('objective_finished', { objective_id: `o${index}`, state: 'merged', worker_id: `worker-${index}` });
  return events;
}

describe.skipIf(!existsSync(chromiumPath) && process.env.CI !== 'true')('dashboard under load in a real browser', () => {
  let server: DashboardServer;
  let browser: Browser;
  const events = bigRun();

  beforeAll(async () => {
    const source: EventSource = {
      subscribe: () => () => {},
      replay: (runId, afterSeq, limit) => events.filter((event) => event.seq > afterSeq).slice(0, limit),
      runs: () => [{ run_id: 'run-big', plan_id: 'plan-big', repo: '/repo', status: 'completed', mode: 'worktree', created_at: 'now', finished_at: 'now' }],
    };
    server = await startDashboardServer({ source, log: quiet, port: 0 });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('replays 10,000 events for 20 workers quickly, caps the feeds, escapes text and stays responsive', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const started = Date.now();
    await page.goto(server.url);
    await page.waitForFunction(countIs, ['.objective[data-state="merged"]', 20] as [string, number], { timeout: 20_000 });
    const loadMs = Date.now() - started;
    expect(loadMs).toBeLessThan(10_000);
    expect(await page.locator('.worker').count()).toBe(20);
    // Feeds are capped: the page never holds every activity at once.
    expect(await page.locator('.feed li').count()).toBeLessThanOrEqual(20 * 50);
    // Text from events is shown as text, never as markup.
    expect(await page.locator('.feed b').count()).toBe(0);
    expect(await page.locator('.feed li').first().textContent()).toContain('<b>Editing</b>');
    // Still responsive: a round trip through the page's event loop is quick.
    const roundTrip = await page.evaluate(() => {
      const started = Date.now();
      return new Promise<number>((resolve) => setTimeout(() => resolve(Date.now() - started), 0));
    });
    expect(Number(roundTrip)).toBeLessThan(500);
  });
});
