/**
 * Polygon REST endpoints MIA uses: futures aggregates, trades and quotes (ES), index
 * aggregates and snapshots (SPX, VIX), and the option chain snapshot (SPX).
 *
 * Endpoint paths and query names come from @polygon.io/client-js's request builders
 * (`DefaultApiAxiosParamCreator`), built without a key; the transport (base URL from
 * configuration, key in a header, Retry-After, `next_url` pages) is polygonHttp.ts.
 */
import type { GetIndicesAggregatesTimespanEnum } from '@polygon.io/client-js';
import type { Bar, OptionChainSnapshot, Quote, TradeTick } from '../../core/types.ts';
import { parsePolygonChain } from '../files/polygonChain.ts';
import { PolygonHttp, type PolygonHttpOptions } from './polygonHttp.ts';
import type { PolygonSettings } from './polygonSettings.ts';
import { msToNs } from './polygonJson.ts';
import {
  parseFuturesAggs,
  parseFuturesQuotes,
  parseFuturesTrades,
  parseIndicesSnapshot,
  parseV2Aggs,
  resultsOf,
  type IndexSnapshotError,
  type IndexValue,
  type ParsedRows,
  type RejectedRow,
} from './polygonRows.ts';

/** A time window [from, to) in ms UTC. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** One page of rows, as it arrived. */
export interface RowPage<T> extends ParsedRows<T> {
  url: string;
}

export type IndexTimespan = `${GetIndicesAggregatesTimespanEnum}`;

/** The raw option chain body (every page's `results` concatenated), Polygon's own shape. */
export interface PolygonChainBody {
  status: 'OK';
  results: unknown[];
}

type ClientJs = typeof import('@polygon.io/client-js');
let clientJs: Promise<{ m: ClientJs; requests: ReturnType<ClientJs['DefaultApiAxiosParamCreator']> }> | undefined;

/** client-js (axios, form-data, mime-db under it) loads at the first request, not at start: most sessions never call Polygon. */
function polygonClient() {
  return (clientJs ??= import('@polygon.io/client-js').then((m) => ({ m, requests: m.DefaultApiAxiosParamCreator(new m.Configuration({})) })));
}

/** Polygon's own rows per page cap for the options snapshot. */
const CHAIN_PAGE_LIMIT = 250;

async function collect<T>(pages: AsyncIterable<RowPage<T>>): Promise<{ items: T[]; rejected: RejectedRow[] }> {
  const items: T[] = [];
  const rejected: RejectedRow[] = [];
  for await (const page of pages) {
    items.push(...page.items);
    rejected.push(...page.rejected);
  }
  return { items, rejected };
}

function checkWindow({ from, to }: TimeWindow): void {
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from < to)) {
    throw new RangeError(`a time window needs integer ms with from < to, got [${from}, ${to})`);
  }
}

export interface PolygonRestOptions extends PolygonHttpOptions {
  /** Rows per page asked of aggregates, trades and quotes (max 50,000). */
  pageLimit?: number;
}

export class PolygonRest {
  readonly http: PolygonHttp;
  private readonly limit: number;

  constructor(options: PolygonRestOptions) {
    this.http = new PolygonHttp(options);
    this.limit = options.pageLimit ?? 50_000;
  }

  /** A client on the resolved settings (base URL, key, timeouts, retries, page size). */
  static fromSettings(settings: PolygonSettings, extra: Partial<PolygonHttpOptions> = {}): PolygonRest {
    return new PolygonRest({
      restUrl: settings.restUrl,
      apiKey: settings.apiKey,
      timeoutMs: settings.requestTimeoutMs,
      maxRetries: settings.maxRetries,
      maxRetryWaitMs: settings.maxRetryWaitMs,
      pageLimit: settings.pageLimit,
      ...extra,
    });
  }

  private async *rowPages<T>(first: string, parse: (body: unknown) => ParsedRows<T>, signal?: AbortSignal): AsyncGenerator<RowPage<T>> {
    for await (const page of this.http.pages(first, signal)) yield { url: page.url, ...parse(page.body) };
  }

  /**
   * Bars of one futures contract over [from, to), oldest first, page by page.
   * @param resolution Polygon's window size: '1min' (default), '5mins', '1hr', ...
   */
  async *futuresBarPages(ticker: string, window: TimeWindow, resolution = '1min', signal?: AbortSignal): AsyncGenerator<RowPage<Bar>> {
    checkWindow(window);
    const { m, requests } = await polygonClient();
    const { url } = await requests.getFuturesAggregates(
      ticker,
      resolution,
      undefined,
      this.limit,
      msToNs(window.from),
      undefined,
      undefined,
      msToNs(window.to),
      m.GetFuturesAggregatesSortEnum.WindowStartAsc,
    );
    yield* this.rowPages(url, (body) => parseFuturesAggs(body, ticker), signal);
  }

  futuresBars(ticker: string, window: TimeWindow, resolution = '1min', signal?: AbortSignal) {
    return collect(this.futuresBarPages(ticker, window, resolution, signal));
  }

  /** Trades of one futures contract over [from, to), oldest first. */
  async *futuresTradePages(ticker: string, window: TimeWindow, signal?: AbortSignal): AsyncGenerator<RowPage<TradeTick>> {
    checkWindow(window);
    const { m, requests } = await polygonClient();
    const { url } = await requests.getFuturesTrades(
      ticker,
      undefined,
      undefined,
      this.limit,
      msToNs(window.from),
      undefined,
      undefined,
      msToNs(window.to),
      undefined,
      undefined,
      undefined,
      undefined,
      m.GetFuturesTradesSortEnum.TimestampAsc,
    );
    yield* this.rowPages(url, (body) => parseFuturesTrades(body, ticker), signal);
  }

  futuresTrades(ticker: string, window: TimeWindow, signal?: AbortSignal) {
    return collect(this.futuresTradePages(ticker, window, signal));
  }

  /** Top-of-book quotes of one futures contract over [from, to), oldest first. */
  async *futuresQuotePages(ticker: string, window: TimeWindow, signal?: AbortSignal): AsyncGenerator<RowPage<Quote>> {
    checkWindow(window);
    const { m, requests } = await polygonClient();
    const { url } = await requests.getFuturesQuotes(
      ticker,
      undefined,
      undefined,
      this.limit,
      msToNs(window.from),
      undefined,
      undefined,
      msToNs(window.to),
      undefined,
      undefined,
      undefined,
      undefined,
      m.GetFuturesQuotesSortEnum.TimestampAsc,
    );
    yield* this.rowPages(url, (body) => parseFuturesQuotes(body, ticker), signal);
  }

  futuresQuotes(ticker: string, window: TimeWindow, signal?: AbortSignal) {
    return collect(this.futuresQuotePages(ticker, window, signal));
  }

  /**
   * Bars of an index (`I:SPX`, `I:VIX`) over [from, to), oldest first. The v2 endpoint's
   * `to` is inclusive, so it is asked for `to - 1`.
   */
  async *indexBarPages(
    ticker: string,
    window: TimeWindow,
    multiplier = 1,
    timespan: IndexTimespan = 'minute',
    signal?: AbortSignal,
  ): AsyncGenerator<RowPage<Bar>> {
    checkWindow(window);
    const { m, requests } = await polygonClient();
    const { url } = await requests.getIndicesAggregates(
      ticker,
      multiplier,
      timespan as GetIndicesAggregatesTimespanEnum,
      String(window.from),
      String(window.to - 1),
      m.GetIndicesAggregatesSortEnum.Asc,
      this.limit,
    );
    yield* this.rowPages(url, (body) => parseV2Aggs(body, ticker), signal);
  }

  indexBars(ticker: string, window: TimeWindow, multiplier = 1, timespan: IndexTimespan = 'minute', signal?: AbortSignal) {
    return collect(this.indexBarPages(ticker, window, multiplier, timespan, signal));
  }

  /** Latest values of indices; tickers Polygon does not know or the plan lacks come back in `errors`. */
  async indicesSnapshot(tickers: readonly string[], signal?: AbortSignal): Promise<{ values: IndexValue[]; errors: IndexSnapshotError[]; rejected: RejectedRow[] }> {
    const { requests } = await polygonClient();
    const { url } = await requests.getIndicesSnapshot(tickers.join(','));
    const { body } = await this.http.getJson(url, signal);
    return parseIndicesSnapshot(body);
  }

  /**
   * The whole option chain snapshot of `underlying` (every page), as Polygon shaped it:
   * greeks, IV, open interest and the underlying's price per contract. Parsed with plain
   * JSON.parse: the chain parser (adapters/files/polygonChain.ts) reads this same shape
   * from files, where nanosecond fields are numbers.
   */
  async optionChainBody(underlying: string, signal?: AbortSignal): Promise<PolygonChainBody> {
    const { requests } = await polygonClient();
    const { url } = await requests.getOptionsChain(
      underlying,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      CHAIN_PAGE_LIMIT,
    );
    const results: unknown[] = [];
    for await (const page of this.http.pages(url, signal, JSON.parse)) results.push(...resultsOf(page.body, 'option chain'));
    return { status: 'OK', results };
  }

  /**
   * The option chain snapshot of `underlying` as MIA's OptionChainSnapshot (provenance
   * `polygon`), parsed by adapters/files/polygonChain.ts, plus the raw body for recording.
   * @param time snapshot time (the request's clock time: the body has no single timestamp)
   * @throws PolygonChainError when the body is not a usable chain (e.g. no underlying price and no `spot`)
   */
  async optionChain(underlying: string, opts: { time: number; spot?: number }, signal?: AbortSignal): Promise<{ body: PolygonChainBody; chain: OptionChainSnapshot }> {
    const body = await this.optionChainBody(underlying, signal);
    return { body, chain: parsePolygonChain(body, { underlying, ...opts }) };
  }
}
