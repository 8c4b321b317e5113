import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monteCarloReport } from '../../../backtest/monteCarlo.ts';
import { renderHtmlReport, TRADE_ROW_CAP, writeHtmlReport } from '../../../backtest/report/htmlReport.ts';
import type { BacktestResult } from '../../../backtest/result.ts';
import type { Trade } from '../../../core/types.ts';
import { hasSharedData } from '../../fixtures/sharedData.ts';
import { attrOf, elementText, pathData, pathPoints } from './htmlText.ts';
import { ES_MARCH, handResult, realDataResult, STARTING_EQUITY, syntheticResult } from './resultFixtures.ts';

const week = { from: '2024-01-08', to: '2024-01-12' };
const allWinners = () =>
  handResult(
    [
      { side: 'long', entry: '2024-01-08T15:00:00Z', exit: '2024-01-08T15:30:00Z', entryPrice: 4800, exitPrice: 4804 },
      { side: 'short', entry: '2024-01-09T15:00:00Z', exit: '2024-01-09T16:00:00Z', entryPrice: 4810, exitPrice: 4801.5 },
    ],
    week,
  );

/** No fetchable reference of any kind: URLs in attributes or CSS, imports, external elements. */
function expectSelfContained(html: string): void {
  // Text is escaped, so every '<' opens a real tag and '[^>]*' stays inside it.
  expect(html).not.toMatch(/<[^>]*\s(?:src|href|xlink:href|srcset|action|poster|data|background)\s*=/i);
  const css = [...html.matchAll(/<style>([^<]*)<\/style>|\sstyle="([^"]*)"/g)].map((m) => m[1] ?? m[2]).join('\n');
  expect(css.length).toBeGreaterThan(500); // the inline stylesheet was found
  expect(css).not.toMatch(/url\s*\(|@import|@font-face/i);
  expect(html).not.toMatch(/<(?:script|link|img|iframe|object|embed|base|audio|video|source)\b/i);
}

describe('HTML report text', () => {
  it('escapes every string from the result: file names, features, config, exit reasons, labels', () => {
    const r = allWinners();
    r.provenance.data[0]!.file = '/data/<img src=x onerror=alert(1)>.csv';
    r.provenance.data[0]!.label = 'replay:a&b "quoted" \'single\'';
    r.provenance.chains.push({ ...r.provenance.data[0]!, file: 'chains/<b>bold</b>.csv', sha256: 'c'.repeat(64) });
    r.featureAvailability = { '<svg onload=alert(2)>': 0.5 };
    r.config = { strategy: { note: '</pre><script>alert(3)</script>' } };
    r.trades[0]!.exitReason = '"><iframe src=//evil.example>';
    r.provenance.window = { from: '<w>', to: null };
    const html = renderHtmlReport(r);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('/data/&lt;img src=x onerror=alert(1)&gt;.csv');
    expect(html).toContain('replay:a&amp;b &quot;quoted&quot; &#39;single&#39;');
    expect(html).toContain('chains/&lt;b&gt;bold&lt;/b&gt;.csv');
    expect(html).toContain('&lt;svg onload=alert(2)&gt;');
    expect(html).not.toContain('<svg onload');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;iframe src=//evil.example&gt;');
    expect(html).toContain('&lt;w&gt;');
    expectSelfContained(html);
  });

  it('shows n/a for null metrics with the reason, and never NaN, Infinity or undefined', () => {
    const r = allWinners();
    expect(r.metrics.profitFactor).toBeNull();
    const html = renderHtmlReport(r);
    expect(attrOf(html, 'metrics', 'id')).toBe('metrics');
    const row = /<tr data-metric="profitFactor" data-value="null">(.*?)<\/tr>/.exec(html);
    expect(row?.[1]).toContain('n/a');
    expect(row?.[1]).toContain('no losing trade');
    expect(html).toMatch(/<tr data-metric="winRate" data-value="1">.*?100\.00%/);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('no trades: an empty trade list, a flat or empty curve, n/a metrics, still self-contained', () => {
    const r = handResult([], week);
    const html = renderHtmlReport(r);
    expect(attrOf(html, 'trade-list', 'data-total')).toBe('0');
    expect(html).toContain('No trades in the period.');
    expect(attrOf(html, 'equity-curve', 'data-points')).toBe('0');
    expect(html).toContain('no points to draw');
    expect(/<tr data-metric="winRate" data-value="null">.*?n\/a/.test(html)).toBe(true);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    expectSelfContained(html);
  });

  it('one trade: one row with its times, prices and dollars; the curve has its one point', () => {
    const r = handResult([{ side: 'short', entry: '2024-01-10T15:00:00Z', exit: '2024-01-10T15:45:00Z', entryPrice: 4800.25, exitPrice: 4790 }], week);
    const html = renderHtmlReport(r);
    const rows = elementText(html, 'trade-list').match(/<tr class="trade /g) ?? [];
    expect(rows).toHaveLength(1);
    const table = elementText(html, 'trade-list');
    for (const text of ['short', '2024-01-10T15:00:00.000Z', '2024-01-10T15:45:00.000Z', '4,800.25', '4,790.00', '$4.50', '$508.00']) expect(table).toContain(text);
    expect(attrOf(html, 'equity-curve', 'data-points')).toBe('1');
    expect(pathPoints(pathData(html, 'equity-curve-path'))).toBe(1);
  });

  it('caps a huge trade list with a note and min/max-downsamples a 50,000-point equity curve', () => {
    const r = syntheticResult(50_000, { every: 20, hold: 20, lookback: 10 });
    expect(r.trades.length).toBeGreaterThan(TRADE_ROW_CAP);
    expect(r.equity.length).toBeGreaterThan(45_000);
    const html = renderHtmlReport(r);
    expect(attrOf(html, 'trade-list', 'data-total')).toBe(String(r.trades.length));
    expect(attrOf(html, 'trade-list', 'data-shown')).toBe(String(TRADE_ROW_CAP));
    expect(elementText(html, 'trade-list').match(/<tr class="trade /g)).toHaveLength(TRADE_ROW_CAP);
    expect(html).toContain(`Showing the first 2,000 of ${r.trades.length.toLocaleString('en-US')} trades`);

    const drawn = Number(attrOf(html, 'equity-curve', 'data-points'));
    expect(drawn).toBeLessThanOrEqual(2_000);
    expect(drawn).toBeGreaterThan(1_000);
    expect(attrOf(html, 'equity-curve', 'data-source-points')).toBe(String(r.equity.length));
    expect(pathPoints(pathData(html, 'equity-curve-path'))).toBe(drawn);
    expect(pathPoints(pathData(html, 'drawdown-chart-path'))).toBeLessThanOrEqual(2_000);
    // The time axis spans the whole curve, not the drawn sample.
    expect(attrOf(html, 'equity-curve', 'data-from')).toBe(r.equity[0]!.time);
    expect(attrOf(html, 'equity-curve', 'data-to')).toBe(r.equity[r.equity.length - 1]!.time);
    expectSelfContained(html);
  });

  it('renders Monte Carlo, walk-forward and risk sections only when the result has them', () => {
    const r = allWinners() as BacktestResult & { walkForward?: unknown };
    expect(renderHtmlReport(r)).not.toMatch(/id="monte-carlo"|id="walk-forward"|id="risk"/);
    const trades: Trade[] = r.trades.map((t) => ({ ...t, symbol: 'ES', entryTime: Date.parse(t.entryTime), exitTime: Date.parse(t.exitTime) }));
    r.monteCarlo = monteCarloReport(trades, { seed: 11, runs: 200, startingEquity: STARTING_EQUITY });
    const oos = allWinners();
    r.walkForward = {
      settings: { from: '2024-01-08', to: '2024-01-12', inSample: '3d', outOfSample: '2d', anchored: false, objective: 'sharpe', minTrades: 1, warmup: true, candidates: 2 },
      windows: [
        { index: 0, inSample: { from: '2024-01-01', to: '2024-01-05' }, outOfSample: { from: '2024-01-08', to: '2024-01-09' }, chosen: { index: 1, params: { 'strategy.threshold': 0.3 } }, eligible: 2, inSampleMetrics: oos.metrics, outOfSampleMetrics: oos.metrics, netProfit: 1250.5, profitable: true },
        { index: 1, inSample: { from: '2024-01-03', to: '2024-01-09' }, outOfSample: { from: '2024-01-10', to: '2024-01-12' }, chosen: null, eligible: 0, inSampleMetrics: null, outOfSampleMetrics: null, netProfit: 0, profitable: false },
      ],
      outOfSample: { period: oos.period, metrics: oos.metrics, performance: oos.performance, trades: oos.trades, equity: oos.equity },
      robustness: 0.5,
      parameterStability: [{ path: 'strategy.threshold', chosen: [0.3, null], distinct: 1, mode: 0.3, modeShare: 0.5, changes: 0, note: '<oos>' }],
    };
    r.risk = { finalState: 'killed', reasons: [], killed: { time: '2024-01-11T15:00:00.000Z', by: 'risk', reason: 'daily loss <limit>' }, openPositionAtEnd: 0, operatorResume: 'never' };
    const html = renderHtmlReport(r);
    const mc = elementText(html, 'monte-carlo');
    const report = r.monteCarlo as ReturnType<typeof monteCarloReport>;
    const money = (x: number) => `${x < 0 ? '-' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    expect(mc).toContain('data-method="shuffle"');
    expect(mc).toContain('data-method="bootstrap"');
    expect(mc).toContain(money(report.bootstrap.netProfit.p5));
    expect(mc).toContain(money(report.shuffle.maxDrawdown.p95));
    expect(mc).toContain('200 runs');

    expect(attrOf(html, 'walk-forward-windows', 'data-rows')).toBe('2');
    const windows = elementText(html, 'walk-forward-windows');
    expect(windows).toContain('2024-01-08 .. 2024-01-09');
    expect(windows).toContain('strategy.threshold');
    expect(windows).toContain('$1,250.50');
    expect(windows).toContain('none eligible');
    expect(elementText(html, 'walk-forward-robustness')).toContain('50.0%');
    expect(html).toMatch(/<table id="walk-forward-metrics">.*?data-metric="profitFactor".*?n\/a/);
    expect(attrOf(html, 'walk-forward-equity', 'data-points')).toBe(String(oos.equity.length));
    expect(html).toContain('&lt;oos&gt;');
    expect(html).toContain('daily loss &lt;limit&gt;');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('names the offending equity point when a time does not parse', () => {
    const r = allWinners();
    r.equity[1]!.time = 'yesterday';
    expect(() => renderHtmlReport(r)).toThrow(/equity\[1\]\.time/);
  });

  it('is deterministic: the same result gives the same bytes', () => {
    expect(renderHtmlReport(allWinners())).toBe(renderHtmlReport(allWinners()));
  });
});

describe.skipIf(!hasSharedData(ES_MARCH))(`HTML report on real ES bars (${ES_MARCH})`, () => {
  let result: BacktestResult;
  let dir: string;
  beforeAll(async () => {
    result = await realDataResult({ maxBars: 3_000 });
    dir = await mkdtemp(join(tmpdir(), 'mia-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('draws every equity point of a curve short enough, with a point per path command', () => {
    const html = renderHtmlReport(result);
    expect(result.equity.length).toBeGreaterThan(100);
    expect(result.equity.length).toBeLessThanOrEqual(2_000);
    expect(attrOf(html, 'equity-curve', 'data-points')).toBe(String(result.equity.length));
    expect(pathPoints(pathData(html, 'equity-curve-path'))).toBe(result.equity.length);
    expect(pathPoints(pathData(html, 'drawdown-chart-path'))).toBe(result.equity.length);
  });

  it('shows the provenance (file, full sha256, rows, from, to) and the configuration hash', () => {
    const html = renderHtmlReport(result);
    const f = result.provenance.data[0]!;
    const table = elementText(html, 'provenance-files');
    expect(table).toContain(`data-sha256="${f.sha256}"`);
    expect(table).toContain(`<code class="sha256">${f.sha256}</code>`);
    expect(table).toContain(f.file);
    expect(table).toContain(f.rows.toLocaleString('en-US'));
    expect(table).toContain(f.from!);
    expect(table).toContain(f.to!);
    expect(elementText(html, 'config-hash')).toBe(result.provenance.configHash);
  });

  it('has one monthly cell per month of the metrics, one bar per feature, and the trade rows', () => {
    const html = renderHtmlReport(result);
    const months = html.match(/<td data-month="/g) ?? [];
    expect(months).toHaveLength(result.performance.monthlyReturns.length);
    for (const m of result.performance.monthlyReturns) expect(html).toContain(`data-month="${m.month}" data-return="${m.return}"`);
    expect((html.match(/<g class="feature"/g) ?? []).length).toBe(Object.keys(result.featureAvailability).length);
    expect(elementText(html, 'trade-list').match(/<tr class="trade /g)).toHaveLength(result.trades.length);
  });

  it('writeHtmlReport creates the directory and writes report.html', async () => {
    const path = await writeHtmlReport(result, join(dir, 'nested', 'out'));
    expect(path).toBe(join(dir, 'nested', 'out', 'report.html'));
    expect(await readFile(path, 'utf8')).toBe(renderHtmlReport(result));
  });
});
