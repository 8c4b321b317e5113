/**
 * `mia journal`: what the home's journal holds. `--json` prints the stable export
 * (adapters/store/journalExport.ts); without it, one line per order and per fill.
 * Read only: a running session may own the home.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { systemClock } from '../core/clock.ts';
import { journalDir, openJournal } from '../adapters/store/journal.ts';
import { exportJournal } from '../adapters/store/journalExport.ts';
import { venueAccount } from '../session/sessionVenue.ts';
import { resolveHome } from './home.ts';
import { EXIT_OK } from './usage.ts';

export interface JournalOptions {
  home?: string;
  config?: string;
  json?: boolean;
}

export async function journalCommand(opts: JournalOptions): Promise<number> {
  const home = resolveHome(opts.home);
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  const journal = await openJournal(journalDir(join(home, 'state')), systemClock, { readOnly: true });
  try {
    for (const t of journal.replay.torn) process.stderr.write(`mia: ${t.file} line ${t.line}: a torn last record (${t.bytes} bytes, a crash mid-write) is not counted\n`);
    const out = exportJournal(journal, venueAccount(config));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT_OK;
    }
    const lines = [`orders ${out.orders.length}, fills ${out.fills.length}`];
    for (const o of out.orders) {
      lines.push(`order ${o.clientOrderId} ${o.purpose} ${o.status} filled ${o.filledQty}${o.avgFillPrice !== null ? ` @ ${o.avgFillPrice}` : ''}${o.serverOrderId ? ` server ${o.serverOrderId}` : ''}`);
    }
    for (const f of out.fills) lines.push(`fill ${f.executionId} ${f.clientOrderId} ${f.qty} @ ${f.price} ${new Date(f.time).toISOString()}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  } finally {
    await journal.close();
  }
}

export function registerJournalCommand(program: Command): void {
  program
    .command('journal')
    .description("the home's journal: orders and fills (--json: the stable export)")
    .option('--home <dir>', 'home directory; also MIA_HOME (default: working directory)')
    .option('--config <file>', 'configuration file (names the trade account); also MIA_CONFIG')
    .option('--json', 'print {orders, fills} as JSON')
    .action(async (opts: JournalOptions) => {
      process.exitCode = await journalCommand(opts);
    });
}
