/**
 * Quotes as delimited text: one best bid/offer per line with sizes, e.g.
 * `timestamp,bid,ask,bid_size,ask_size` (header names matched loosely by columnRoles.ts;
 * `--columns` names them otherwise). Naive timestamps are wall-clock time in `--tz`
 * (default America/New_York); instants (ISO with an offset, epoch numbers) are taken as
 * they are. A crossed, off-tick or one-sided quote is rejected and counted.
 *
 * `isQuoteHeader` tells a quote file from bars and ticks: a header with bid and ask columns
 * and no price, close or open column.
 */
import type { Quote } from '../../core/types.ts';
import { rolesFromHeader, type ColumnMap } from './columnRoles.ts';
import { decodeText, forEachLineRange } from './delimitedText.ts';
import { FieldScanner } from './fieldScanner.ts';
import { IssueLog } from './issueLog.ts';
import { columnsOption, zoneFor } from './loaderOptions.ts';
import { DEFAULT_TEXT_TZ, rowTime, textLayout } from './ohlcvText.ts';
import { checkQuote } from './rowChecks.ts';
import { finishSeries, SeriesCollector, type FileBytes } from './seriesBuilder.ts';
import { DataFileError, type LoaderOptions, type QuoteSeries } from './seriesTypes.ts';
import { rootFromPath, tickSizeFor } from './symbolGuess.ts';

export function isQuoteHeader(header: readonly string[] | null): boolean {
  if (!header) return false;
  const map = rolesFromHeader(header, false);
  return map.bid !== undefined && map.ask !== undefined && map.close === undefined && map.open === undefined && map.price === undefined;
}

export function loadQuoteText(src: FileBytes, options: LoaderOptions): QuoteSeries {
  const text = decodeText(src.bytes);
  const given = columnsOption(src.file, options);
  const layout = textLayout(text, given?.time ?? given?.date);
  const map: ColumnMap = given ?? (layout.header ? rolesFromHeader(layout.header, false) : {});
  const missing = (['bid', 'ask', 'bidSize', 'askSize'] as const).find((r) => map[r] === undefined) ?? (map.time === undefined && map.date === undefined ? 'time' : undefined);
  if (missing) throw new DataFileError('bad-option', src.file, `${src.file}: no ${missing} column for quotes (header: ${layout.header?.join(', ') ?? 'none'}); pass --columns, e.g. time,bid,ask,bidSize,askSize`, 'columns');
  const zone = zoneFor(src.file, options, DEFAULT_TEXT_TZ);
  const symbol = options.symbol ?? rootFromPath(src.file) ?? 'ES';
  const tick = tickSizeFor(symbol, options.tickSize);
  const log = new IssueLog();
  const out = new SeriesCollector<Quote>(log, true);
  const row = new FieldScanner();
  const need = Math.max(map.time ?? map.date ?? 0, map.clock ?? 0, map.bid!, map.ask!, map.bidSize!, map.askSize!);
  forEachLineRange(text, (start, end, lineNo) => {
    if (lineNo <= layout.headerLines) return;
    const count = row.scanLine(text, start, end, layout.separator);
    if (count <= need) {
      log.reject(lineNo, 'parse', `expected at least ${need + 1} fields, got ${count}`);
      return;
    }
    const time = rowTime(row, map, zone, out.lastTime, lineNo, log);
    if (time === null) return;
    const quote: Quote = { symbol, time, bid: row.number(map.bid!), ask: row.number(map.ask!), bidSize: row.number(map.bidSize!), askSize: row.number(map.askSize!) };
    out.offer(lineNo, quote, checkQuote(quote, tick));
  });
  return finishSeries('quotes', out.items, out, log, { format: 'csv', file: src.file, sha256: src.sha256, timezone: zone.timeZone, symbol, tickSize: tick }) as QuoteSeries;
}
