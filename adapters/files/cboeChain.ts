/**
 * CBOE delayed-quote option-chain exports (`*_quotedata.csv`, the "Download CSV" button
 * of CBOE's option-chain page) -> OptionChainSnapshot, with a quality report.
 *
 * Layout (../shared/data/README.md section 4): a few header lines, one with the
 * underlying's `Last:` price and one with a `Date:` download stamp written in the
 * downloader's locale ("January 7, 2024 at 10:52 AM EST", "23 de marzo de 2022, 10:11
 * GMT-4", "9 декабря 2023 г. в 13:49 GMT-5", "11 April, 2023 à 22:23 UTC−4", even "4 June
 * 4" without a year); then the column header and one row per expiry and strike, calls
 * left, puts right, 22 columns.
 *
 * Every contract keeps what the file says, with two CBOE conventions undone: an IV of 0
 * and a gamma of 0 mean "not computed" (CBOE writes 0 for illiquid or deep ITM rows, and
 * rounds gamma to 4 decimals, so a real gamma below 0.00005 also prints 0); they become
 * absent, and the gamma step recomputes gamma from the IV when there is one. A bad row
 * side is rejected with its line and reason; nothing is silently dropped or invented.
 * The OSI root says how each contract settles (`SPX` AM, `SPXW` PM): see timeToExpiry.ts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { OptionChainSnapshot, OptionRight } from '../../core/types.ts';
import { settlementOfRoot, type SettledOptionContract } from '../../strategy/gamma/timeToExpiry.ts';
import { easternWallTimeToUtc, calendarDaysBetween } from '../../core/zonedTime.ts';
import { MiaError } from '../../core/errors.ts';

/** A file that is not a usable CBOE export (wrong header, no price, no time). */
export class CboeChainError extends MiaError<'CBOE_CHAIN_INVALID'> {
  override name = 'CboeChainError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super('CBOE_CHAIN_INVALID', `${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
  }
}

/** One rejected row (both sides) or one rejected side of a row. */
export interface CboeRejectedRow {
  /** 1-based line number in the file. */
  line: number;
  side?: OptionRight;
  reason: string;
}

export interface CboeChainQuality {
  file: string;
  sha256: string;
  /** Underlying name as written ("S&P 500 INDEX", "SPDR S&P 500 ETF Trust"...). */
  underlyingName: string;
  /** The `Date:` text as written. */
  dateText: string;
  /** Where the snapshot time came from. */
  timeSource: 'header' | 'header-year-inferred' | 'override';
  /** Data rows read (non-empty lines after the column header). */
  rows: number;
  /** Contracts in the snapshot (two per fully accepted row). */
  contracts: number;
  rejected: CboeRejectedRow[];
  /** Contracts kept with neither IV nor gamma: the gamma step skips and counts them. */
  missingGreeks: number;
  /** Contracts per settlement style, from the OSI roots. */
  settlement: { am: number; pm: number };
  warnings: string[];
}

export interface CboeChainLoad {
  snapshot: OptionChainSnapshot;
  quality: CboeChainQuality;
}

export interface CboeChainOptions {
  /** Snapshot time (ms UTC) instead of the header's download stamp. */
  time?: number;
  /** Underlying symbol instead of the one read from the OSI roots. */
  underlying?: string;
}

const COLUMNS =
  'Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest';
const COLUMN_COUNT = 22;
const HEADER_SEARCH_LINES = 12;

/** Cheap sniff for format detection: the CBOE column header near the top. */
export function looksLikeCboeChain(text: string): boolean {
  const head = text.slice(0, 4000);
  return head.includes('Expiration Date,Calls,Last Sale');
}

/** Reads, hashes and parses one export. */
export async function loadCboeChain(path: string, opts: CboeChainOptions = {}): Promise<CboeChainLoad> {
  return cboeChainFromBytes(await readFile(path), path, opts);
}

/** Parses the bytes of one export; provenance is `replay` with the bytes' sha256. */
export function cboeChainFromBytes(bytes: Uint8Array, file: string, opts: CboeChainOptions = {}): CboeChainLoad {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return parseCboeChain(new TextDecoder('utf-8').decode(bytes), { ...opts, file, sha256 });
}

const MONTHS_EN: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const pad = (n: number) => String(n).padStart(2, '0');

/** "Mon Feb 07 2022" -> "2022-02-07"; null when malformed. */
function parseExpiration(text: string): string | null {
  const m = /^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{4})$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS_EN[m[1]!.toLowerCase()];
  const day = Number(m[2]);
  const year = Number(m[3]);
  if (month === undefined || day < 1 || day > 31) return null;
  const date = `${year}-${pad(month)}-${pad(day)}`;
  // Reject Feb 30 and friends: the date must survive a round trip.
  return new Date(`${date}T00:00:00Z`).toISOString().startsWith(date) ? date : null;
}

const OSI = /^([A-Z]{1,6})(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

/** Parses one side's 10 fields starting at `at`; a reason string when unusable. */
function parseSide(
  f: readonly string[],
  at: number,
  right: OptionRight,
  expiry: string,
  strike: number,
): { contract: SettledOptionContract; root: string } | string {
  const symbol = f[at]!.trim();
  const m = OSI.exec(symbol);
  if (!m) return `contract symbol "${symbol}" is not an OSI option symbol`;
  if ((m[5] === 'C') !== (right === 'call')) return `contract symbol "${symbol}" is not a ${right}`;
  const symbolDate = `20${m[2]}-${m[3]}-${m[4]}`;
  if (symbolDate !== expiry) return `contract symbol "${symbol}" expires ${symbolDate}, row says ${expiry}`;
  if (Math.abs(Number(m[6]) / 1000 - strike) > 1e-6) return `contract symbol "${symbol}" has strike ${Number(m[6]) / 1000}, row says ${strike}`;
  const names = ['Last Sale', 'Net', 'Bid', 'Ask', 'Volume', 'IV', 'Delta', 'Gamma', 'Open Interest'] as const;
  const v: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const raw = f[at + 1 + i]!.trim();
    const x = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(x)) return `${names[i]} "${raw}" is not a number`;
    v.push(x);
  }
  const [last, , bid, ask, volume, iv, delta, gamma, openInterest] = v as [number, number, number, number, number, number, number, number, number];
  if (!(openInterest >= 0) || !Number.isInteger(openInterest)) return `Open Interest ${openInterest} is not a non-negative integer`;
  if (volume < 0) return `Volume ${volume} is negative`;
  if (bid < 0 || ask < 0 || last < 0) return 'negative price';
  if (iv < 0) return `IV ${iv} is negative`;
  if (gamma < 0) return `Gamma ${gamma} is negative`;
  if (delta < -1.0001 || delta > 1.0001) return `Delta ${delta} is outside [-1, 1]`;
  const root = m[1]!;
  const contract: SettledOptionContract = { expiry, strike, right, bid, ask, last, openInterest, volume, settlement: settlementOfRoot(root) };
  // CBOE prints 0 for greeks it did not compute: absent, not zero.
  if (iv > 0) contract.iv = iv;
  if (gamma > 0) contract.gamma = gamma;
  if (iv > 0 || delta !== 0) contract.delta = delta;
  return { contract, root };
}

/** Family of an OSI root: SPXW -> SPX, NDXP -> NDX... */
const ROOT_UNDERLYING: Record<string, string> = { SPXW: 'SPX', SPXPM: 'SPX', NDXP: 'NDX', RUTW: 'RUT', VIXW: 'VIX', XSPW: 'XSP' };

/** Parses the text of one export. */
export function parseCboeChain(text: string, opts: CboeChainOptions & { file: string; sha256: string }): CboeChainLoad {
  const { file, sha256 } = opts;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let headerAt = -1;
  for (let i = 0; i < Math.min(lines.length, HEADER_SEARCH_LINES); i++) {
    if (lines[i]!.startsWith('Expiration Date,')) {
      headerAt = i;
      break;
    }
  }
  if (headerAt < 0) throw new CboeChainError('not a CBOE quotedata export: no "Expiration Date,Calls,..." column header in the first lines', file);
  const header = lines[headerAt]!.replace(/,+$/, '');
  if (header !== COLUMNS) throw new CboeChainError(`unexpected column header "${header.slice(0, 200)}"`, file, headerAt + 1);

  const preamble = lines.slice(0, headerAt).map((l) => l.replace(/"/g, ''));
  const lastLine = preamble.find((l) => /\bLast:/.test(l));
  const lastMatch = lastLine ? /Last:\s*([-+]?\d+(?:\.\d+)?)/.exec(lastLine) : null;
  const spot = lastMatch ? Number(lastMatch[1]) : Number.NaN;
  if (!(spot > 0)) throw new CboeChainError('no positive underlying "Last:" price in the header lines', file);
  const underlyingName = lastLine!.slice(0, lastLine!.indexOf('Last:')).replace(/,\s*$/, '').trim();
  const dateLine = preamble.find((l) => /Date:/.test(l));
  const dateText = dateLine ? (/Date:\s*(.*?)\s*,\s*Bid:/.exec(dateLine)?.[1] ?? dateLine.slice(dateLine.indexOf('Date:') + 5).trim()) : '';

  const contracts: SettledOptionContract[] = [];
  const rejected: CboeRejectedRow[] = [];
  const settlement = { am: 0, pm: 0 };
  const roots = new Map<string, number>();
  let rows = 0;
  let missingGreeks = 0;
  let firstExpiry: string | null = null;
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    rows++;
    const lineNo = i + 1;
    const f = line.split(',');
    // Some exports pad rows with empty columns; anything else is a malformed row.
    while (f.length > COLUMN_COUNT && f[f.length - 1]!.trim() === '') f.pop();
    if (f.length !== COLUMN_COUNT) {
      rejected.push({ line: lineNo, reason: `expected ${COLUMN_COUNT} columns, got ${f.length}` });
      continue;
    }
    const expiry = parseExpiration(f[0]!);
    if (expiry === null) {
      rejected.push({ line: lineNo, reason: `Expiration Date "${f[0]}" is not "Ddd Mon DD YYYY"` });
      continue;
    }
    const strike = Number(f[11]!.trim());
    if (!(strike > 0) || !Number.isFinite(strike)) {
      rejected.push({ line: lineNo, reason: `Strike "${f[11]}" is not a positive number` });
      continue;
    }
    for (const [at, right] of [[1, 'call'], [12, 'put']] as const) {
      const side = parseSide(f, at, right, expiry, strike);
      if (typeof side === 'string') {
        rejected.push({ line: lineNo, side: right, reason: side });
        continue;
      }
      const c = side.contract;
      contracts.push(c);
      roots.set(side.root, (roots.get(side.root) ?? 0) + 1);
      settlement[c.settlement!]++;
      if (c.iv === undefined && c.gamma === undefined) missingGreeks++;
      if (firstExpiry === null || expiry < firstExpiry) firstExpiry = expiry;
    }
  }

  const warnings: string[] = [];
  let time: number;
  let timeSource: CboeChainQuality['timeSource'];
  if (opts.time !== undefined) {
    if (!Number.isFinite(opts.time)) throw new CboeChainError(`time override must be a finite ms timestamp, got ${opts.time}`, file);
    time = opts.time;
    timeSource = 'override';
  } else {
    const parsed = parseCboeDate(dateText);
    if (parsed === null) throw new CboeChainError(`cannot read a date and time from the header "Date: ${dateText}"; pass the snapshot time explicitly`, file);
    let year = parsed.year;
    if (year === undefined) {
      if (firstExpiry === null) throw new CboeChainError(`the header date "${dateText}" has no year and there is no expiry to infer it from`, file);
      // The download is at most a few days after the first listed expiry (expired
      // expiries stay listed over a weekend), and never much before it.
      year = Number(firstExpiry.slice(0, 4));
      if (calendarDaysBetween(firstExpiry, `${year}-${pad(parsed.month)}-${pad(parsed.day)}`) > 7) year--;
      warnings.push(`header date "${dateText}" has no year: ${year} inferred from the first expiry ${firstExpiry}`);
    }
    time = parsed.offsetMinutes === null
      ? easternWallTimeToUtc(year, parsed.month, parsed.day, parsed.hour, parsed.minute)
      : Date.UTC(year, parsed.month - 1, parsed.day, parsed.hour, parsed.minute) - parsed.offsetMinutes * 60_000;
    timeSource = parsed.year === undefined ? 'header-year-inferred' : 'header';
  }

  let mainRoot = '';
  let mainCount = -1;
  for (const [root, count] of roots) if (count > mainCount) [mainRoot, mainCount] = [root, count];
  const underlying = opts.underlying ?? ROOT_UNDERLYING[mainRoot] ?? mainRoot;
  if (underlying === '') warnings.push('no contract accepted: underlying unknown');
  if (rejected.length > 0) warnings.push(`${rejected.length} row side(s) rejected`);

  return {
    snapshot: { underlying, time, spot, contracts, provenance: { kind: 'replay', file, sha256 } },
    quality: { file, sha256, underlyingName, dateText, timeSource, rows, contracts: contracts.length, rejected, missingGreeks, settlement, warnings },
  };
}

/** A header date's fields; `year` undefined when the text has none; `offsetMinutes` null = US/Eastern. */
export interface CboeHeaderDate {
  year?: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  offsetMinutes: number | null;
}

// Month name prefixes in the locales CBOE's page has been saved from (en, es, fr, de, it, pt, ru).
const MONTH_PREFIXES: readonly (readonly [string, number])[] = [
  ['jan', 1], ['ene', 1], ['gen', 1], ['янв', 1],
  ['feb', 2], ['fév', 2], ['fev', 2], ['фев', 2],
  ['mar', 3], ['mär', 3], ['мар', 3],
  ['apr', 4], ['abr', 4], ['avr', 4], ['апр', 4],
  ['may', 5], ['mai', 5], ['mag', 5], ['мая', 5], ['май', 5],
  ['juin', 6], ['jun', 6], ['giu', 6], ['июн', 6],
  ['juil', 7], ['jul', 7], ['lug', 7], ['июл', 7],
  ['aug', 8], ['ago', 8], ['aoû', 8], ['aou', 8], ['авг', 8],
  ['sep', 9], ['set', 9], ['сен', 9],
  ['oct', 10], ['okt', 10], ['ott', 10], ['out', 10], ['окт', 10],
  ['nov', 11], ['ноя', 11],
  ['dec', 12], ['dic', 12], ['déc', 12], ['dez', 12], ['дек', 12],
];

const ZONES: Record<string, number | null> = {
  et: null, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  utc: 0, gmt: 0, z: 0, bst: 60, cet: 60, cest: 120, msk: 180,
};

/**
 * Reads the `Date:` stamp of a CBOE export in any of the locales seen in the wild; null
 * when no month, day and time can be found. Without a zone the time is US/Eastern.
 */
export function parseCboeDate(text: string): CboeHeaderDate | null {
  let s = text.normalize('NFC').replace(/\u2212/g, '-').replace(/[\u00a0\u202f]/g, ' ').replace(/"/g, '').toLowerCase();

  const clock = /(\d{1,2}):(\d{2})(?::\d{2})?\s*(a\.?\s?m\.?|p\.?\s?m\.?)?/.exec(s);
  if (!clock) return null;
  let hour = Number(clock[1]);
  const minute = Number(clock[2]);
  const meridiem = clock[3]?.[0];
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null;
    if (meridiem === 'p' && hour < 12) hour += 12;
    if (meridiem === 'a' && hour === 12) hour = 0;
  }
  if (hour > 23 || minute > 59) return null;
  s = s.slice(0, clock.index) + ' ' + s.slice(clock.index + clock[0].length);

  let offsetMinutes: number | null = null;
  const numericZone = /\b(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?/.exec(s);
  if (numericZone) {
    offsetMinutes = (numericZone[1] === '-' ? -1 : 1) * (Number(numericZone[2]) * 60 + Number(numericZone[3] ?? 0));
    s = s.replace(numericZone[0], ' ');
  } else {
    for (const word of s.match(/\p{L}+/gu) ?? []) {
      if (word in ZONES) {
        offsetMinutes = ZONES[word]!;
        s = s.replace(new RegExp(`\\b${word}\\b`), ' ');
        break;
      }
    }
  }

  let month: number | undefined;
  for (const word of s.match(/\p{L}+/gu) ?? []) {
    if (word.length < 3) continue;
    const hit = MONTH_PREFIXES.find(([prefix]) => word.startsWith(prefix));
    if (hit) {
      month = hit[1];
      break;
    }
  }
  if (month === undefined) return null;

  const numbers = (s.match(/\d+/g) ?? []).map((d) => ({ text: d, value: Number(d) }));
  const yearToken = numbers.find((n) => n.text.length === 4);
  const dayToken = numbers.find((n) => n !== yearToken && n.text.length <= 2 && n.value >= 1 && n.value <= 31);
  if (!dayToken) return null;
  const date: CboeHeaderDate = { month, day: dayToken.value, hour, minute, offsetMinutes };
  if (yearToken) date.year = yearToken.value;
  return date;
}
