/**
 * The inspector's session panels in headless Chromium (playwright-core + Debian's
 * chromium), over a live in-process session: the equity curve, the day's trades, and the
 * banner that appears when the phase (here overridden to 5 ownAccount) disagrees with the
 * session's simulated data and paper venue.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { configSchema } from '../../config/schema.ts';
import { systemClock } from '../../core/clock.ts';
import { openStateStore } from '../../adapters/store/stateStore.ts';
import { silentLogger } from '../../adapters/log/logger.ts';
import { startInspectorServer } from '../../adapters/inspector/inspectorServer.ts';
import { inspectorPage } from '../../adapters/inspector/inspectorPage.ts';
import { createInspectorBridge } from '../../operator/inspectorBridge.ts';
import { startSession } from '../../session/session.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipped: ${CHROMIUM} is absent (apt-get install chromium to run the inspector's browser test)`);

const tempHome = useTempHomes('mia-inspector-day-');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!hasChromium)('inspector: equity, trades and the phase banner in a browser', () => {
  it('draws the equity curve and the day trades, and warns when phase 5 runs on simulated data and a paper venue', { timeout: 60_000 }, async () => {
    const launching = chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const home = tempHome();
    const config = configSchema.parse({ venue: { kind: 'simulated' }, feed: { speed: 600, maxBars: 5_000 }, risk: { dailyLossLimit: 1_000_000, trailingDrawdown: 1_000_000, maxConsecutiveLosses: 1000 } });
    const store = await openStateStore(home, { clock: systemClock });
    const bridge = createInspectorBridge({ clock: systemClock });
    const session = startSession({ config, store, logger: silentLogger(), inspect: bridge.inspect });
    cleanups.push(async () => {
      await session.stop('test over');
      await store.close();
    });
    bridge.attach(session);
    const server = await startInspectorServer({ home, feed: bridge, page: inspectorPage() });
    cleanups.push(() => server.close());
    const browser: Browser = await launching;
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.locator('#conn.open').waitFor({ timeout: 20_000 });

    // Phase 0 on simulated data: nothing to warn about.
    await page.locator('#risk-state').waitFor();
    expect(await page.locator('#mismatch.shown').count()).toBe(0);

    // Trades close and the equity curve grows as the session runs.
    await page.locator('#trades tr').first().waitFor({ timeout: 30_000 });
    const firstRow = await page.locator('#trades tr').first().locator('td').allTextContents();
    expect(firstRow[1]).toMatch(/^(long|short) \d+$/);
    expect(firstRow[3]).toMatch(/^-?\$\d+\.\d\d$/);
    expect(await page.locator('#trades-count').textContent()).toMatch(/^\(\d+, P&L -?\$\d+\.\d\d\)$/);
    // Polled from the test, not evaluated in the page: the page's CSP forbids eval.
    await expect
      .poll(async () => ((await page.locator('#equity polyline').getAttribute('points')) ?? '').split(' ').length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(5);
    const points = (await page.locator('#equity polyline').getAttribute('points'))!.split(' ').map((p) => p.split(',').map(Number));
    expect(points.every(([x, y]) => x! >= 0 && x! <= 1000 && y! >= 0 && y! <= 100)).toBe(true);
    expect(points.map(([x]) => x)).toEqual([...points.map(([x]) => x)].sort((a, b) => a! - b!)); // time runs left to right

    // Overridden to phase 5 ownAccount while on simulated data and the paper venue: the banner says so.
    const at = new Date().toISOString();
    for (let i = 0; i < 5; i++) session.send({ type: 'PHASE', event: { type: 'OVERRIDE', who: 'test', at, reason: 'banner test' } });
    await page.locator('#mismatch.shown').waitFor({ timeout: 10_000 });
    const banner = await page.locator('#mismatch').textContent();
    expect(banner).toContain('phase 5 ownAccount expects live data and a real DTC account');
    expect(banner).toContain('simulated data (simulated:seed=42)');
    expect(banner).toContain('a paper venue (simulated (in-process paper venue))');
  });
});
