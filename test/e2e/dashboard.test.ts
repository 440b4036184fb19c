import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/stdio-server.js';

const chromiumPath = process.env.AP_CHROMIUM ?? '/usr/bin/chromium';
interface PageDocument {
  document: { querySelectorAll(selector: string): { length: number }; querySelector(selector: string): { textContent: string | null } | null };
}

/** Counts elements inside the page; runs in the browser, so it only uses what it is given. */
const countIs = ([selector, expected]: [string, number]) => (globalThis as unknown as PageDocument).document.querySelectorAll(selector).length === expected;

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe.skipIf(!existsSync(chromiumPath) && process.env.CI !== 'true')('dashboard in a real browser', () => {
  let demo: ChildProcess;
  let browser: Browser;
  let url = '';
  let output = '';

  beforeAll(async () => {
    demo = spawn(process.execPath, [cliPath, 'demo', '--watch', '--start-delay', '2500', '--clean'], { env: { ...process.env, AP_DASHBOARD_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.resume();
    await until(() => /Dashboard: (\S+)/.test(output), 20_000);
    url = /Dashboard: (\S+)/.exec(output)![1]!;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  });

  it('fills in worker cards, tool counts, activity feeds and the wave board live, then replays a past run', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForSelector('#connection[data-state="connected"]', { timeout: 10_000 });

    // The run starts after the page is open: everything below arrives live.
    await page.waitForSelector('.worker', { timeout: 30_000 });
    await page.waitForSelector('.objective[data-state="merged"]', { timeout: 30_000 });
    await until(() => /The dashboard keeps serving/.test(output), 60_000);
    await page.waitForFunction(countIs, ['.objective[data-state="merged"]', 6] as [string, number], { timeout: 10_000 });
    expect(await page.locator('.worker').count()).toBe(3);
    expect(await page.locator('.tools [data-tool="write_file"]').count()).toBeGreaterThan(0);
    expect(await page.locator('.feed li').count()).toBeGreaterThan(3);
    expect(await page.locator('.feed li.kind-tool_use').count()).toBeGreaterThan(0);
    // run_finished follows the last merge; the page shows it once it arrives.
    await page.waitForFunction(() => (globalThis as unknown as PageDocument).document.querySelector('#run-status')?.textContent === 'completed', null, { timeout: 10_000 });
    expect(await page.locator('#run-progress').textContent()).toBe('6 / 6');
    const tasks = await page.locator('[data-metric="tasks"]').allTextContents();
    expect(tasks.map(Number).reduce((sum, value) => sum + value, 0)).toBe(6);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });

    // A past run, opened from the history in a fresh page, replays to the same state.
    const replay = await browser.newPage();
    await replay.goto(url);
    await replay.waitForSelector('.history li', { timeout: 10_000 });
    await replay.locator('.history li').first().click();
    await replay.waitForFunction(countIs, ['.objective[data-state="merged"]', 6] as [string, number], { timeout: 10_000 });
    expect(await replay.locator('.worker').count()).toBe(3);

    // Stopping the server shows in the connection indicator.
    demo.kill('SIGINT');
    await page.waitForSelector('#connection[data-state="disconnected"]', { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
