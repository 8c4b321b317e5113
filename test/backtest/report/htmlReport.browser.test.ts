/**
 * The HTML report in a real browser: Debian's Chromium driven by playwright-core opens the
 * file:// report with every non-file request aborted, and checks what a trader would see.
 * Without /usr/bin/chromium the suite is skipped locally and fails in CI (CI installs it).
 * The 50,000-point and capped-trade-list cases are checked on the HTML text
 * (htmlReport.test.ts): a page that size costs seconds on a loaded machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../../backtest/report/htmlReport.ts';
import type { BacktestResult } from '../../../backtest/result.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { ES_MARCH, realDataResult } from './resultFixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
const haveData = hasSharedData(ES_MARCH);

describe.runIf(!haveChromium && inCi)('HTML report in headless Chromium (CI)', () => {
  it('needs Debian chromium', () => {
    throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium package for the HTML report browser test`);
  });
});

const title = !haveChromium
  ? `HTML report in headless Chromium — SKIPPED: ${CHROMIUM} not found (install Debian's chromium to run it)`
  : !haveData
    ? `HTML report in headless Chromium — SKIPPED: shared data ${ES_MARCH} not found`
    : 'HTML report in headless Chromium';

interface Opened {
  page: Page;
  /** Requests that tried to leave the machine (aborted). */
  outside: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
}

describe.skipIf(!haveChromium || !haveData)(title, () => {
  let browser: Browser;
  let dir: string;
  let real: BacktestResult;
  let realUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mia-report-browser-'));
    real = await realDataResult({ maxBars: 3_000 });
    realUrl = pathToFileURL(await writeHtmlReport(real, join(dir, 'real'))).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(url: string, javaScriptEnabled = true): Promise<Opened> {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const requested = route.request().url();
      if (requested.startsWith('file:')) return route.continue();
      outside.push(requested);
      return route.abort();
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(url, { waitUntil: 'load' });
    return { page, outside, errors };
  }

  /** Points of the step path with `id` (the first point's M, then one `H x V y` each), read in the page. */
  const drawnPoints = async (page: Page, id: string): Promise<number> => {
    const d = (await page.locator(`#${id}`).getAttribute('d')) ?? '';
    return (d.match(/[MV]/g) ?? []).length;
  };

  it('real ES bars: the equity curve is visible with every point, the trades and the sha256 are shown, nothing left the machine', async () => {
    const { page, outside, errors } = await open(realUrl);
    try {
      const curve = page.locator('#equity-curve');
      await expect(curve.isVisible()).resolves.toBe(true);
      const box = await curve.boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      expect(box!.height).toBeGreaterThan(150);
      expect(real.equity.length).toBeLessThanOrEqual(2_000);
      expect(await drawnPoints(page, 'equity-curve-path')).toBe(real.equity.length);
      expect(await curve.getAttribute('data-points')).toBe(String(real.equity.length));
      // The line spans the plot: drawn, not collapsed to a point.
      const pathBox = await page.locator('#equity-curve-path').boundingBox();
      expect(pathBox!.width).toBeGreaterThan(box!.width * 0.8);
      await expect(page.locator('#drawdown-chart').isVisible()).resolves.toBe(true);

      expect(await page.locator('#trade-list tbody tr').count()).toBe(real.trades.length);
      const sha = real.provenance.data[0]!.sha256;
      const shaCell = page.locator('#provenance-files code.sha256').first();
      expect(await shaCell.textContent()).toBe(sha);
      await expect(shaCell.isVisible()).resolves.toBe(true);
      expect(await page.locator('#config-hash').textContent()).toBe(real.provenance.configHash);
      expect(await page.locator('#monthly-returns td[data-month]').count()).toBe(real.performance.monthlyReturns.length);

      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('works with JavaScript off', async () => {
    const { page, outside, errors } = await open(realUrl, false);
    try {
      await expect(page.locator('#equity-curve').isVisible()).resolves.toBe(true);
      await expect(page.locator('#feature-availability').isVisible()).resolves.toBe(true);
      expect(await page.locator('#trade-list tbody tr').count()).toBe(real.trades.length);
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
