/**
 * The sessions a home ran, read back from its logs (`<home>/logs/<phase>/mia.log`, pino
 * JSON lines): `session started` names the data (provenance label), `session ended`
 * carries the summary with the first and last bar times. The journal does not record
 * which data a session traded on; the log is where MIA states it. Lines are streamed
 * (a months-long log is large) and only those two messages are parsed.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PaperSession } from './evidencePaper.ts';

interface LogLine {
  msg?: unknown;
  sessionId?: unknown;
  provenance?: unknown;
  wallClock?: unknown;
  account?: { id?: unknown; kind?: unknown };
  summary?: { sessionId?: unknown; provenance?: unknown; from?: unknown; to?: unknown };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Sessions found in every phase folder's log, in log order; one entry per start or end line. */
export async function readSessionLog(home: string): Promise<PaperSession[]> {
  const logs = join(home, 'logs');
  if (!existsSync(logs)) return [];
  const sessions: PaperSession[] = [];
  for (const folder of readdirSync(logs).sort()) {
    const file = join(logs, folder, 'mia.log');
    if (!existsSync(file)) continue;
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.includes('"msg":"session started"') && !line.includes('"msg":"session ended"')) continue;
      let entry: LogLine;
      try {
        entry = JSON.parse(line) as LogLine;
      } catch {
        continue; // a line torn by a crash says nothing reliable
      }
      if (entry.msg === 'session started') {
        sessions.push({
          sessionId: str(entry.sessionId) ?? 'unknown',
          provenance: str(entry.provenance),
          from: null,
          to: null,
          startedAt: str(entry.wallClock),
          ...(entry.account && str(entry.account.id) ? { account: { id: str(entry.account.id)!, kind: str(entry.account.kind) } } : {}),
        });
      } else if (entry.msg === 'session ended' && entry.summary) {
        const s = entry.summary;
        sessions.push({ sessionId: str(s.sessionId) ?? 'unknown', provenance: str(s.provenance), from: str(s.from), to: str(s.to), endedAt: str(entry.wallClock) });
      }
    }
  }
  return sessions;
}
