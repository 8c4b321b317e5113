/**
 * Which column holds what. Roles come from `--columns` (role names in file order, `-`
 * to skip) or from a header line, whose names are matched loosely (case, spaces and
 * punctuation ignored; English vendor names plus the Spanish ones of the NQ tick files).
 */

export const COLUMN_ROLES = [
  'time', // date and time in one field (or an epoch number)
  'date', // date only, with a separate `clock` column
  'clock', // time of day
  'open',
  'high',
  'low',
  'close',
  'volume',
  'askVolume',
  'bidVolume',
  'symbol',
  'price',
  'size',
  'side',
  'bid',
  'ask',
  'bidSize',
  'askSize',
  'skip',
] as const;

export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** Column index of each role present (first occurrence wins). */
export type ColumnMap = Partial<Record<Exclude<ColumnRole, 'skip'>, number>>;

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Header names (normalised) per role. `volume` means trade size in a tick file (see forTicks). */
const HEADER_NAMES: Record<Exclude<ColumnRole, 'skip'>, readonly string[]> = {
  time: ['timestamp', 'datetime', 'datetimeutc', 'ts', 'localtime', 'gmttime'],
  date: ['date', 'day', 'fecha'],
  clock: ['time', 'hora', 'timeofday'],
  open: ['open', 'o', 'openprice'],
  high: ['high', 'h', 'highprice'],
  low: ['low', 'l', 'lowprice'],
  close: ['close', 'last', 'c', 'closeprice', 'lastprice'],
  volume: ['volume', 'vol', 'v', 'totalvolume', 'volumen'],
  askVolume: ['askvolume', 'askvol', 'buyvolume'],
  bidVolume: ['bidvolume', 'bidvol', 'sellvolume'],
  symbol: ['symbol', 'ticker', 'contract', 'instrument'],
  price: ['price', 'precio', 'tradeprice', 'p'],
  size: ['size', 'qty', 'quantity', 'tradesize', 's'],
  side: ['side', 'lado', 'aggressor', 'aggressorside'],
  bid: ['bid', 'bidprice'],
  ask: ['ask', 'askprice'],
  bidSize: ['bidsize'],
  askSize: ['asksize'],
};

const BY_NAME = new Map<string, Exclude<ColumnRole, 'skip'>>();
for (const [role, names] of Object.entries(HEADER_NAMES)) for (const n of names) BY_NAME.set(n, role as Exclude<ColumnRole, 'skip'>);

/** Roles of header fields. `time` is a time-of-day (`clock`) when a `date` column exists too. */
export function rolesFromHeader(fields: readonly string[], forTicks: boolean): ColumnMap {
  const map: ColumnMap = {};
  const names = fields.map(normalise);
  const hasDate = names.some((n) => HEADER_NAMES.date.includes(n));
  names.forEach((name, i) => {
    let role = BY_NAME.get(name);
    if (role === 'clock' && !hasDate) role = 'time';
    if (role === 'time' && name === 'time' && hasDate) role = 'clock';
    if (forTicks && role === 'volume') role = 'size';
    if (forTicks && role === 'close') role = 'price';
    if (role && map[role] === undefined) map[role] = i;
  });
  return map;
}

/** Roles from `--columns`; throws with the offending name. */
export function rolesFromOption(columns: readonly string[]): ColumnMap {
  const map: ColumnMap = {};
  const known = new Map(COLUMN_ROLES.map((r) => [r.toLowerCase(), r]));
  columns.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '-' || name === '' || name.toLowerCase() === 'skip') return;
    const role = known.get(name.toLowerCase());
    if (!role) throw new RangeError(`unknown column role "${name}" (known: ${COLUMN_ROLES.join(', ')}, or - to skip)`);
    if (role === 'skip') return;
    if (map[role] !== undefined) throw new RangeError(`column role "${name}" appears twice`);
    map[role] = i;
  });
  return map;
}

/** The roles a bar file needs, or the reason it lacks them. */
export function missingBarRoles(map: ColumnMap): string | null {
  if (map.time === undefined && map.date === undefined) return 'time (or date) column';
  for (const r of ['open', 'high', 'low', 'close'] as const) if (map[r] === undefined) return `${r} column`;
  return null;
}

/** The roles a tick file needs, or the reason it lacks them. */
export function missingTickRoles(map: ColumnMap): string | null {
  if (map.time === undefined && map.date === undefined) return 'time column';
  if (map.price === undefined) return 'price column';
  if (map.size === undefined) return 'size column';
  return null;
}
