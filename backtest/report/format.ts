/**
 * Number formatting shared by the terminal and HTML reports. Undefined values are shown
 * as "n/a", never as NaN, Infinity or 0: a record without a loss has no profit factor.
 */
import type { BacktestMetrics, BacktestResult } from '../result.ts';

export const NA = 'n/a';

/** Thousands separators on the integer part of a plain decimal string. */
function group(digits: string): string {
  const [int, frac] = digits.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** Dollars with cents and separators: `-$1,234.50`; n/a for null. */
export function money(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NA;
  const cents = Math.round(Math.abs(x) * 100);
  return `${cents > 0 && x < 0 ? '-' : ''}$${group((cents / 100).toFixed(2))}`;
}

/** A fraction as a percentage (0.1234 -> `12.34%`); n/a for null. */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NA;
  const s = (x * 100).toFixed(digits);
  // -0.00% would suggest a loss that rounding erased.
  if (Number(s) === 0) return `${(0).toFixed(digits)}%`;
  return `${x < 0 ? '-' : ''}${group(s.replace(/^-/, ''))}%`;
}

/** A percentage with an explicit sign, for returns (`+1.20%`, `-0.40%`). */
export function signedPct(x: number | null | undefined, digits = 2): string {
  const s = pct(x, digits);
  return s !== NA && x! > 0 && !/^0\.0*%$/.test(s) ? `+${s}` : s;
}

/** A plain ratio or count with fixed decimals and separators; n/a for null. */
export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NA;
  const s = Math.abs(x).toFixed(digits);
  return `${x < 0 && Number(s) !== 0 ? '-' : ''}${group(s)}`;
}

/** A whole count with separators. */
export const count = (x: number | null | undefined): string => num(x, 0);

export type MetricKey = keyof BacktestMetrics;

/** The headline metrics of the contract, in its order, with how each is shown. */
export const HEADLINE_METRICS: ReadonlyArray<{ key: MetricKey; label: string; format: (x: number | null) => string }> = [
  { key: 'trades', label: 'Trades', format: count },
  { key: 'winRate', label: 'Win rate', format: (x) => pct(x) },
  { key: 'profitFactor', label: 'Profit factor', format: (x) => num(x) },
  { key: 'sharpe', label: 'Sharpe', format: (x) => num(x) },
  { key: 'sortino', label: 'Sortino', format: (x) => num(x) },
  { key: 'maxDrawdown', label: 'Max drawdown', format: money },
  { key: 'maxDrawdownPct', label: 'Max drawdown %', format: (x) => pct(x) },
  { key: 'recoveryFactor', label: 'Recovery factor', format: (x) => num(x) },
  { key: 'netProfit', label: 'Net profit', format: money },
  { key: 'cagr', label: 'CAGR', format: (x) => pct(x) },
  { key: 'signalsPerMonth', label: 'Signals / month', format: (x) => num(x, 1) },
];

/**
 * Why a headline metric is null (backtest/metrics.ts module notes), so "n/a" is read as
 * "undefined for this record", not as a missing computation. Null when the value exists.
 */
export function nullReason(key: MetricKey, result: BacktestResult): string | null {
  if (result.metrics[key] !== null) return null;
  const p = result.performance;
  const noTrades = result.metrics.trades === 0;
  switch (key) {
    case 'winRate':
      return 'no trades';
    case 'profitFactor':
      return noTrades ? 'no trades' : 'no losing trade';
    case 'sharpe':
      return p.tradingDays < 2 ? 'fewer than 2 days' : 'no daily variation';
    case 'sortino':
      return 'no losing day';
    case 'recoveryFactor':
      return 'no drawdown';
    case 'signalsPerMonth':
      return 'no signal times';
    default:
      return null;
  }
}

/** A headline metric as text: its value, or "n/a (reason)". */
export function headlineValue(key: MetricKey, result: BacktestResult): string {
  const def = HEADLINE_METRICS.find((m) => m.key === key)!;
  const text = def.format(result.metrics[key]);
  const reason = nullReason(key, result);
  return reason ? `${text} (${reason})` : text;
}
