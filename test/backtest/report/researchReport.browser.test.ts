/**
 * The research section in Debian's Chromium (playwright-core): the price chart shows one
 * mark per entry and exit inside its plot, buy-and-hold is drawn beside equity, the band is
 * on the signals chart, and the page logs no error. Skipped without /usr/bin/chromium (as
 * the report's other browser test).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../../backtest/report/htmlReport.ts';
import { handResult } from './resultFixtures.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))(existsSync(CHROMIUM) ? 'research section in headless Chromium' : `research section in headless Chromium — SKIPPED: ${CHROMIUM} not found`, () => {
  it('renders the marks, buy-and-hold and the band, with no page error', { timeout: 60_000 }, async () => {
    const result = handResult(
      [
        { side: 'long', entry: '2024-01-08T15:00:00.000Z', exit: '2024-01-08T16:00:00.000Z', entryPrice: 4800, exitPrice: 4804 },
        { side: 'short', entry: '2024-01-09T15:00:00.000Z', exit: '2024-01-09T16:00:00.000Z', entryPrice: 4806, exitPrice: 4809 },
      ],
      { from: '2024-01-08', to: '2024-01-09' },
    );
    const closes = Array.from({ length: 200 }, (_, i) => ({ t: Date.parse('2024-01-08T14:00:00.000Z') + i * 15 * 60_000, v: 4800 + Math.sin(i / 10) * 5 }));
    const dir = await mkdtemp(join(tmpdir(), 'mia-research-browser-'));
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    try {
      const url = pathToFileURL(await writeHtmlReport(result, dir, { closes, pointValue: 50 })).href;
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      const plot = await page.locator('#price-chart').boundingBox();
      const marks = await page.locator('#price-chart .marker').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width })));
      expect(marks).toHaveLength(4);
      for (const m of marks) {
        expect(m.w).toBeGreaterThan(0);
        expect(m.x).toBeGreaterThanOrEqual(plot!.x);
        expect(m.x).toBeLessThanOrEqual(plot!.x + plot!.width);
      }
      expect(await page.locator('#buy-and-hold').isVisible()).toBe(true);
      expect(await page.locator('#signals-per-month .band').count()).toBe(1);
      expect(await page.locator('#feature-contribution tbody tr').count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
