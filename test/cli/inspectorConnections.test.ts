/**
 * Issue 12's inspector test: during `mia run --inspect` on the live Polygon feed (the fake
 * Polygon server on loopback) and the DTC venue (the embedded paper DTC server), the page
 * opened in headless Chromium shows both connection machines in the actor tree,
 * `execution > connection` and `marketData > connection`, with their current state, and
 * follows the market-data connection live through an outage: connected, reconnecting,
 * connected again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startMia, type MiaProcess } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { FakePolygonServer } from '../fixtures/fakePolygonServer.ts';
import { hasSharedData } from '../fixtures/sharedData.ts';
import { waitFor } from '../adapters/control/miaRunSteps.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) {
  throw new Error(`${CHROMIUM} is absent: CI installs Debian's chromium for the inspector's browser test`);
}
if (!hasChromium) console.warn(`skipped: ${CHROMIUM} is absent (apt-get install chromium to run the inspector's browser tests)`);
const hasPolygonFixtures = hasSharedData('polygon/openapi-examples');
if (!hasPolygonFixtures) console.warn('skipped: ../shared/data/polygon is absent (the fake Polygon server answers with its files)');

const tempHome = useTempHomes('mia-inspector-connections-');

async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The state shown in the tree for `parent > connection` (its active leaf states). */
const treeState = (page: Page, parent: string) =>
  page.locator(`#tree li[data-actor="${parent}"] > ul > li[data-actor="connection"] > .status`).first();

/** The drawn machine of `parent > connection`, and whether `path` is active in it. */
const machineState = (page: Page, parent: string, path: string) =>
  page.locator(`#machines .machine[data-actor="connection"][data-parent="${parent}"] .state[data-path="${path}"].active`);

describe.skipIf(!hasChromium || !hasPolygonFixtures)('mia run --inspect shows the connection machines', () => {
  it('execution > connection and marketData > connection, live with their states', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const polygon = await FakePolygonServer.start({});
    const run: MiaProcess = startMia(['run', '--feed', 'polygon', '--inspect', '--home', home], {
      POLYGON_API_KEY: polygon.apiKey,
      POLYGON_REST_URL: polygon.restUrl,
      POLYGON_WS_URL: polygon.wsUrl,
      // Quick reconnects: the outage below lasts a second or two.
      MIA__connection__backoffBaseMs: '100',
      MIA__connection__backoffMaxMs: '400',
    });
    let exited = false;
    void run.done.then(() => (exited = true));
    const launching = chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    let browser: Browser | undefined;
    const outside: string[] = [];
    try {
      const urlFile = join(home, 'inspector.url');
      await waitFor('inspector.url', () => exited || existsSync(urlFile), 30_000);
      if (exited) throw new Error(`mia run exited early: ${JSON.stringify(await run.done)}`);
      const url = readFileSync(urlFile, 'utf8').trim();

      browser = await launching;
      const page = await browser.newPage();
      await page.route('**/*', (route) => {
        const host = new URL(route.request().url()).hostname;
        if (host === '127.0.0.1') return route.continue();
        outside.push(route.request().url());
        return route.abort();
      });
      await page.goto(url);
      await page.locator('#conn.open').waitFor({ timeout: 20_000 });

      // Both connection machines sit under their actors in the tree, logged on.
      for (const parent of ['execution', 'marketData']) {
        await machineState(page, parent, 'connected').waitFor({ timeout: 30_000 });
        await expect(treeState(page, parent).textContent()).resolves.toMatch(/^connected\./);
        await expect(page.locator(`#machines .machine[data-actor="connection"][data-parent="${parent}"] .title`).textContent()).resolves.toMatch(
          new RegExp(`^${parent} > connection`),
        );
      }
      await expect(page.locator('#machines .machine[data-actor="connection"]').count()).resolves.toBe(2);

      // A Polygon outage: the market-data connection goes reconnecting, then back; the
      // DTC connection stays up throughout.
      polygon.wsDown = true;
      polygon.dropClients();
      await until('reconnecting on the page', async () => (await treeState(page, 'marketData').textContent()) === 'reconnecting', 20_000);
      await expect(machineState(page, 'execution', 'connected').count()).resolves.toBe(1);
      polygon.wsDown = false;
      await until('connected again on the page', async () => /^connected\./.test((await treeState(page, 'marketData').textContent()) ?? ''), 30_000);
      expect(outside).toEqual([]);
    } finally {
      await (browser ?? (await launching.catch(() => undefined)))?.close();
      run.child.kill('SIGTERM');
      await polygon.close();
    }
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
  });
});
