/**
 * The terminal summary of a backtest: headline metrics (the contract names) in a
 * compact table, the period, counts, one line per data file, and the monthly returns,
 * wrapped to the terminal width. Null metrics read "n/a (why)"; colours only when asked
 * for (by default: stdout is a TTY and NO_COLOR is unset).
 */
import type { BacktestResult, DataProvenance } from '../result.ts';
import { availabilityTokens } from '../availability.ts';
import { count, HEADLINE_METRICS, headlineValue, money, NA, signedPct } from './format.ts';

export interface TerminalReportOptions {
  color?: boolean;
  /** Columns available (default: the terminal's, else 80). */
  width?: number;
}

const ANSI = { bold: '\x1b[1m', dim: '\x1b[2m', green: '\x1b[32m', red: '\x1b[31m', reset: '\x1b[0m' } as const;
type Style = keyof typeof ANSI;

export function renderTerminalReport(result: BacktestResult, options: TerminalReportOptions = {}): string {
  const color = options.color ?? (process.stdout.isTTY === true && process.env.NO_COLOR === undefined);
  const width = Math.max(40, Math.floor(options.width ?? process.stdout.columns ?? 80));
  const paint = (text: string, style: Style | null): string => (color && style ? `${ANSI[style]}${text}${ANSI.reset}` : text);
  const signStyle = (x: number | null): Style | null => (x === null ? 'dim' : x > 0 ? 'green' : x < 0 ? 'red' : null);

  const p = result.provenance;
  const lines: string[] = [];
  lines.push(paint(`MIA backtest ${result.period.from} .. ${result.period.to}`, 'bold') + ` (${count(result.performance.tradingDays)} trading days)`);
  lines.push(`config ${p.configHash.slice(0, 16)}  MIA ${p.mia}` + (p.window.from || p.window.to ? `  window ${p.window.from ?? '...'} .. ${p.window.to ?? '...'}` : ''));
  lines.push('');

  // Headline metrics: two columns when the width allows, else one.
  const cells = HEADLINE_METRICS.map(({ key }) => {
    const value = result.metrics[key];
    const style: Style | null = value === null ? 'dim' : key === 'netProfit' ? signStyle(value) : null;
    return { name: key as string, text: headlineValue(key, result), style };
  });
  const nameW = Math.max(...cells.map((c) => c.name.length)) + 2;
  const valueW = Math.max(...cells.map((c) => c.text.length));
  const cellW = nameW + valueW;
  const perRow = 2 + 2 * cellW + 3 <= width ? 2 : 1;
  const rowsN = Math.ceil(cells.length / perRow);
  for (let r = 0; r < rowsN; r++) {
    const row: string[] = [];
    for (let c = 0; c < perRow; c++) {
      const cell = cells[c * rowsN + r];
      if (!cell) continue;
      const last = c === perRow - 1 || !cells[(c + 1) * rowsN + r];
      row.push(cell.name.padEnd(nameW) + paint(last ? cell.text : cell.text.padEnd(valueW), cell.style));
    }
    lines.push(`  ${row.join('   ')}`);
  }
  lines.push('');

  // The engine's own counters win; fills and signals are counted from the lists otherwise.
  const counts = Object.entries({ ...result.counts, fills: result.counts.fills ?? result.fills.length, signals: result.counts.signals ?? result.signals.length })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? count(v) : String(v)}`);
  lines.push(...wrap('counts  ', counts, ' · ', width));
  if (result.availability) lines.push(...wrap('confluence ', availabilityTokens(result.availability), ' · ', width));
  lines.push(...wrap('equity  ', [`start ${money(result.performance.startingEquity)}`, `final ${money(result.performance.finalEquity)}`], ' · ', width));

  for (const f of p.data) lines.push(provenanceLine('data    ', f, width));
  for (const f of p.chains) lines.push(provenanceLine('chains  ', f, width));
  if (p.data.length === 0) lines.push('data    none recorded');

  const months = result.performance.monthlyReturns.map((m) => ({ plain: `${m.month} ${signedPct(m.return)}`, style: signStyle(m.return) }));
  if (months.length === 0) lines.push(`monthly ${NA}`);
  else lines.push(...wrap('monthly ', months.map((m) => m.plain), '  ', width, (i, text) => `${text.slice(0, 8)}${paint(text.slice(8), months[i]!.style)}`));

  const risk = (result as { risk?: unknown }).risk;
  if (typeof risk === 'object' && risk !== null) lines.push(...wrap('risk    ', riskTokens(risk as Record<string, unknown>), ' · ', width));

  const extra = monteCarloLines(result as BacktestResult & { monteCarlo?: unknown });
  if (extra.length > 0) lines.push(...extra);
  return `${lines.join('\n')}\n`;
}

/** Tokens after `prefix`, wrapped at `width`; `decorate` styles a token after measuring it. */
function wrap(prefix: string, tokens: string[], sep: string, width: number, decorate?: (i: number, text: string) => string): string[] {
  const out: string[] = [];
  let line = prefix;
  let plainLen = prefix.length;
  let first = true;
  tokens.forEach((token, i) => {
    const text = decorate ? decorate(i, token) : token;
    if (!first && plainLen + sep.length + token.length > width) {
      out.push(line);
      line = ' '.repeat(prefix.length) + text;
      plainLen = prefix.length + token.length;
    } else {
      line += (first ? '' : sep) + text;
      plainLen += (first ? 0 : sep.length) + token.length;
    }
    first = false;
  });
  out.push(line);
  return out;
}

/**
 * One data file on one line. Narrower terminals get, in turn: times to the minute, days
 * instead of times, then rows and hash only, each with the path shortened from the left
 * when needed (the HTML report has everything).
 */
function provenanceLine(prefix: string, f: DataProvenance, width: number): string {
  const minute = (t: string | null) => (t === null ? NA : t.replace(/:\d{2}(\.\d+)?Z$/, 'Z'));
  const day = (t: string | null) => (t === null ? NA : t.slice(0, 10));
  const hash = `sha256 ${f.sha256.slice(0, 12)}`;
  const tails = [
    `  ${f.format}  ${count(f.rows)} rows  ${minute(f.from)} .. ${minute(f.to)}  ${hash}`,
    `  ${f.format}  ${count(f.rows)} rows  ${day(f.from)} .. ${day(f.to)}  ${hash}`,
    `  ${count(f.rows)} rows  ${hash}`,
    `  ${hash}`,
  ];
  for (const minRoom of [Infinity, 16, 8]) {
    for (const rest of tails) {
      const room = width - prefix.length - rest.length;
      if (f.file.length <= room) return `${prefix}${f.file}${rest}`;
      if (minRoom !== Infinity && room >= minRoom) return `${prefix}...${f.file.slice(f.file.length - (room - 3))}${rest}`;
    }
  }
  return `${prefix}${f.file}${tails[tails.length - 1]}`;
}

/** A line per Monte Carlo method when the result carries one (backtest/monteCarlo.ts shape). */
function monteCarloLines(result: { monteCarlo?: unknown }): string[] {
  const mc = result.monteCarlo;
  if (typeof mc !== 'object' || mc === null) return [];
  const out: string[] = [];
  for (const [method, d] of Object.entries(mc as Record<string, unknown>)) {
    const dist = d as { netProfit?: { p5?: unknown; p50?: unknown; p95?: unknown }; maxDrawdown?: { p95?: unknown }; runs?: unknown };
    const np = dist?.netProfit;
    if (typeof np?.p5 !== 'number' || typeof np.p50 !== 'number' || typeof np.p95 !== 'number') continue;
    const dd = typeof dist.maxDrawdown?.p95 === 'number' ? `  maxDrawdown p95 ${money(dist.maxDrawdown.p95)}` : '';
    out.push(`monteCarlo ${method}: netProfit p5 ${money(np.p5)}  p50 ${money(np.p50)}  p95 ${money(np.p95)}${dd}`);
  }
  return out;
}

/** The end-of-run risk outcome (result.risk), read loosely: state, reasons, the kill. */
function riskTokens(risk: Record<string, unknown>): string[] {
  const tokens: string[] = [];
  if (typeof risk.finalState === 'string') tokens.push(`final state ${risk.finalState}`);
  if (Array.isArray(risk.reasons) && risk.reasons.length > 0) tokens.push(`reasons ${risk.reasons.map(String).join(', ')}`);
  const killed = risk.killed as { time?: unknown; by?: unknown; reason?: unknown } | null | undefined;
  if (killed && typeof killed === 'object') tokens.push(`KILLED ${String(killed.time ?? '')} by ${String(killed.by ?? '?')}: ${String(killed.reason ?? '')}`);
  if (typeof risk.openPositionAtEnd === 'number' && risk.openPositionAtEnd !== 0) tokens.push(`open at end ${risk.openPositionAtEnd}`);
  if (typeof risk.operatorResume === 'string') tokens.push(`operator resume ${risk.operatorResume}`);
  return tokens.length > 0 ? tokens : ['n/a'];
}
