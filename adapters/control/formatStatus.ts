/**
 * Plain-text views of a running MIA's status, shared by `mia status` and Discord's
 * /status, /pnl and /positions so that both surfaces say the same thing.
 */
import type { ControlStatus } from './controlProtocol.ts';

const money = (x: number) => `${x < 0 ? '-' : ''}$${Math.abs(x).toFixed(2)}`;

/** The P&L lines. */
export function formatPnl(s: ControlStatus): string {
  return `pnl       session ${money(s.pnl.session)}  today ${money(s.pnl.today)}  open ${money(s.pnl.open)}  realized ${money(s.pnl.realized)}  equity ${money(s.pnl.equity)}`;
}

/** The position and working orders. */
export function formatPositions(s: ControlStatus): string {
  const p = s.position;
  const position = p.qty === 0 ? `position  ${p.symbol} flat` : `position  ${p.symbol} ${p.qty > 0 ? 'long' : 'short'} ${Math.abs(p.qty)} @ ${p.avgPrice}`;
  const orders =
    s.orders.length === 0
      ? 'orders    none working'
      : [
          `orders    ${s.orders.length} working`,
          ...s.orders.map(
            (o) =>
              `          ${o.clientOrderId} ${o.side} ${o.filledQty}/${o.qty} ${o.type}${o.price !== undefined ? ` @ ${o.price}` : ''}${o.stopPrice !== undefined ? ` stop ${o.stopPrice}` : ''} (${o.purpose})`,
          ),
        ].join('\n');
  return `${position}\n${orders}`;
}

/** The whole status, one fact per line. */
export function formatStatus(s: ControlStatus): string {
  const risk = `${s.risk.state}${s.risk.reasons.length ? ` [${s.risk.reasons.join(', ')}]` : ''}${
    s.risk.state === 'killed' ? ` by ${s.risk.killedBy ?? 'unknown'}: ${s.risk.killReason ?? ''}` : ''
  }`;
  return [
    `MIA at ${s.home} (pid ${s.pid})`,
    `session   ${s.session.id} ${s.session.state}, ${s.session.bars} bars${s.session.time ? ` to ${s.session.time}` : ''}`,
    `activity  signals ${s.session.signals.long} long / ${s.session.signals.short} short, ${s.session.ordersSent} orders, ${s.session.fills} fills, ${s.session.trades} trades, ${s.session.riskRefusals} refused by risk`,
    `phase     ${s.phase.id} ${s.phase.name} (signals ${s.phase.signals})`,
    `risk      ${risk}`,
    formatPositions(s),
    formatPnl(s),
    `feed      ${s.feed.kind} ${s.feed.provenance}, speed ${s.feed.speed}, ${s.feed.maxBars === null ? 'runs until stopped' : `ends after ${s.feed.maxBars} bars`}`,
    `venue     ${s.venue.kind}, ${s.venue.connected ? 'connected' : 'DISCONNECTED'}`,
  ].join('\n');
}

/** A gate evaluation as `mia phase advance` and `mia evidence` print it (shape of config/gates.ts GateEvaluation). */
export interface EvaluationView {
  transition: string;
  pass: boolean;
  criteria: ReadonlyArray<{ name: string; actual: unknown; op: string; threshold: unknown; pass: boolean }>;
  refusals: readonly string[];
}

/** Every criterion with its actual value, threshold and verdict, then every refusal. */
export function formatGateEvaluation(ev: EvaluationView): string {
  return [
    `gate      ${ev.transition}: ${ev.pass ? 'passed' : 'NOT MET'}`,
    ...ev.criteria.map((c) => `          ${c.pass ? 'ok  ' : 'FAIL'} ${c.name} = ${c.actual === null ? 'missing' : String(c.actual)} (needs ${c.op} ${String(c.threshold)})`),
    ...ev.refusals.map((r) => `          refused: ${r}`),
  ].join('\n');
}
