/**
 * What every market-data file loader returns: the accepted items, a data-quality report
 * (rejected rows are counted with their reasons, never silently fixed) and where the data
 * came from (the file's sha256).
 */
import type { Bar, Provenance, Quote, TradeTick } from '../../core/types.ts';
import type { RollEvent } from '../../core/contractRoll.ts';
import { MiaError } from '../../core/errors.ts';

export const SERIES_FORMATS = [
  'csv',
  'sierra',
  'lean-trade-zip',
  'lean-quote-zip',
  'ticks',
  'polygon-aggs',
  'polygon-trades',
  'polygon-quotes',
  'mia-cache',
] as const;

/**
 * - `csv`: generic OHLCV text (FirstRate, vendor exports), header auto-detected or `columns`.
 * - `sierra`: Sierra Chart's intraday text export (Date, Time, Open, High, Low, Last, Volume, ...).
 * - `lean-trade-zip` / `lean-quote-zip`: QuantConnect Lean future minute/hour/daily zips.
 * - `ticks`: time & sales with the aggressor side.
 * - `polygon-*`: Polygon/Massive REST JSON (aggregates, trades, quotes; stocks v2/v3 and futures).
 * - `mia-cache`: MIA's own binary bar cache (barCache.ts).
 */
export type SeriesFormat = (typeof SERIES_FORMATS)[number];

export interface LoaderOptions {
  /** Skip detection. */
  format?: SeriesFormat;
  /**
   * Column roles in file order (see columnRoles.ts), e.g. `['time','open','high','low','close','volume']`;
   * `-` skips a column. Overrides the header.
   */
  columns?: string[];
  /** IANA zone of naive (zone-less) timestamps. Default per format: Lean UTC, CSV/Sierra America/New_York. */
  tz?: string;
  /**
   * Symbol stamped on rows that carry none; in a multi-contract file, the contract to keep
   * (`ESZ13`, or Lean's expiry month `201312`).
   */
  symbol?: string;
  /** Tick size for the off-tick check; 0 disables it. Default: the instrument's (ES 0.25), none for unknown symbols. */
  tickSize?: number;
  /** Multi-contract files without `symbol`: how to pick the contract of each trading day. Default 'volume'. */
  roll?: 'volume' | 'calendar';
  /** Multi-contract files: back-adjust prices across rolls (continuous series). */
  backAdjust?: boolean;
}

/** Rejecting kinds remove the row; `gap` is informational. */
export type IssueKind =
  | 'parse'
  | 'duplicate'
  | 'out-of-order'
  | 'off-tick'
  | 'non-positive'
  | 'ohlc'
  | 'bad-volume'
  | 'crossed'
  | 'missing-side'
  | 'gap';

export const ISSUE_KINDS: readonly IssueKind[] = [
  'parse',
  'duplicate',
  'out-of-order',
  'off-tick',
  'non-positive',
  'ohlc',
  'bad-volume',
  'crossed',
  'missing-side',
  'gap',
];

export interface DataIssue {
  /** 1-based line of the file (or of the zip entry), or 1-based index in a JSON `results` array. */
  row: number;
  kind: IssueKind;
  detail: string;
  /** Zip entry or file inside a directory, when the series has several. */
  entry?: string;
}

export type SeriesKind = 'bars' | 'trades' | 'quotes';

/** One contract found in a multi-contract file, whether it was kept or not. */
export interface ContractSummary {
  symbol: string;
  rows: number;
  rejected: number;
  /** Total volume (bars) or row count (quotes). */
  activity: number;
}

interface SeriesBase {
  format: SeriesFormat;
  /** Absolute path of the file (or directory) read. */
  file: string;
  /** sha256 of the file's bytes (of a manifest of name + sha256 lines for a directory). */
  sha256: string;
  /** Zone used for naive timestamps ('UTC' when the format carries instants). */
  timezone: string;
  /** Symbol of the series (the last contract for a continuous series). */
  symbol: string;
  /** Tick size used by the off-tick check, null when not checked. */
  tickSize: number | null;
  /** Accepted rows (= items.length). */
  rows: number;
  /**
   * Rows rejected, each counted in issueCounts under its reason. In a multi-contract file:
   * those of the kept contract (`symbol`), or of every contract when the series draws from all.
   */
  rejected: number;
  /** First and last item time, ISO 8601 UTC; null when no row was accepted. */
  from: string | null;
  to: string | null;
  /** First issues in file order (capped, see issueCap); issueCounts has them all. */
  issues: DataIssue[];
  issueCounts: Record<IssueKind, number>;
  /** Bar period in ms (inferred for files that do not state it), null for ticks and quotes. */
  periodMs: number | null;
  /** Contracts in a multi-contract file; empty otherwise. */
  contracts: ContractSummary[];
  /** Contract switches of a continuous series. */
  rolls: RollEvent[];
  /** Things the loader did that are not data issues (e.g. a descending JSON page replayed ascending). */
  notes: string[];
  /** Where the data came from: `replay:<file>#<sha256>` (for a cache, its source file). */
  provenance: Provenance;
}

export type BarSeries = SeriesBase & { kind: 'bars'; items: Bar[] };
export type TradeSeries = SeriesBase & { kind: 'trades'; items: TradeTick[] };
export type QuoteSeries = SeriesBase & { kind: 'quotes'; items: Quote[] };
export type LoadedSeries = BarSeries | TradeSeries | QuoteSeries;

/** Why a file could not be loaded at all (as opposed to rows rejected inside it). */
export type DataFileErrorCode = 'not-found' | 'unreadable' | 'unknown-format' | 'bad-option' | 'unsupported';

/**
 * A file that cannot be loaded: missing, corrupt, of no known format, or a bad loader
 * option. `option` names the offending option (`tz`, `columns`, ...) for `bad-option`.
 */
export class DataFileError extends MiaError<DataFileErrorCode> {
  constructor(
    code: DataFileErrorCode,
    readonly file: string,
    message: string,
    readonly option?: string,
  ) {
    super(code, message);
    this.name = 'DataFileError';
  }

  /** The operator must change the command line (exit code 2), rather than the file being bad. */
  get isUsage(): boolean {
    return this.code === 'not-found' || this.code === 'bad-option' || this.code === 'unknown-format';
  }
}
