/**
 * Issue 7's inspector test, end to end: `mia run --inspect` in its own process, the page
 * opened in headless Chromium (playwright-core + Debian's chromium; any request to a host
 * other than 127.0.0.1 is aborted and fails the test), the actors seen, `mia kill` run
 * from the CLI, and the risk machine seen turning `killed` on the page. Then SIGTERM: a
 * clean exit and inspector.url removed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startMia, runMia, type MiaProcess } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { waitFor } from '../adapters/control/miaRunSteps.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) {
  throw new Error(`${CHROMIUM} is absent: CI installs Debian's chromium for the inspector's browser test`);
}
if (!hasChromium) console.warn(`skipped: ${CHROMIUM} is absent (apt-get install chromium to run the inspector's browser test)`);

const tempHome = useTempHomes('mia-inspector-cli-');

describe.skipIf(!hasChromium)('mia run --inspect in a browser', () => {
  it('shows the actors live and the risk machine turning killed after mia kill', { timeout: 90_000 }, async () => {
    const home = tempHome();
    // Loss limits out of reach: the only kill here is the operator's.
    const run: MiaProcess = startMia(['run', '--feed', 'simulated', '--speed', '20', '--inspect', '--home', home], {
      MIA__risk__dailyLossLimit: '1000000',
      MIA__risk__trailingDrawdown: '1000000',
    });
    let exited = false;
    void run.done.then(() => (exited = true));
    // Chromium starts while mia does (both are slow to start on a loaded machine).
    const launching = chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    let browser: Browser | undefined;
    const outside: string[] = [];
    try {
      const urlFile = join(home, 'inspector.url');
      await waitFor('inspector.url and control.json', () => exited || (existsSync(urlFile) && existsSync(join(home, 'control.json'))), 30_000);
      if (exited) throw new Error(`mia run exited early: ${JSON.stringify(await run.done)}`);
      expect(statSync(urlFile).mode & 0o777).toBe(0o600);
      const url = readFileSync(urlFile, 'utf8').trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
      // The URL is announced on stdout (no --json here).
      await waitFor('the URL on stdout', () => run.stdout().includes(url), 10_000);

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

      // The actor tree and the machines, drawn from their definitions.
      const actors = ['orchestrator', 'risk', 'deployment', 'marketData', 'scoring', 'execution'];
      const selectors = actors.map((id) => `#tree li[data-actor="${id}"]`);
      // Waited for from the test, not evaluated in the page: the page's CSP forbids eval.
      for (const s of selectors) await page.locator(s).first().waitFor({ state: 'attached', timeout: 20_000 });
      const risk = page.locator('#machines .machine[data-actor="risk"]');
      await expect(risk.locator('.state[data-path="killed"]').count()).resolves.toBe(1);
      await expect(risk.locator('.state[data-path="killed"].active').count()).resolves.toBe(0);
      await expect(page.locator('#machines .machine[data-actor="orchestrator"] .state[data-path="running.session.trading"].active').count()).resolves.toBe(1);
      // The bars keep moving while nothing else changes: the summary refreshes.
      await page.locator('#risk-state').waitFor();
      expect(await page.locator('#risk-state').textContent()).not.toBe('killed');

      const kill = await runMia(['kill', '--reason', 'test', '--home', home], {});
      expect(kill.code, kill.stderr).toBe(0);

      await risk.locator('.state[data-path="killed"].active').waitFor({ timeout: 20_000 });
      await expect(risk.locator('.state[data-path="active"].active').count()).resolves.toBe(0);
      await page.locator('#risk-state.risk-killed').waitFor({ timeout: 10_000 });
      await page.locator('#events tr[data-type="OPERATOR.KILL"]').first().waitFor({ timeout: 10_000 });
      expect(outside).toEqual([]);
    } finally {
      await (browser ?? (await launching.catch(() => undefined)))?.close();
      run.child.kill('SIGTERM');
    }
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(home, 'inspector.url'))).toBe(false);
  });
});
