/**
 * `mia evidence propfirm` counts the prop firm's risk kills against promotion: they are read
 * back from the home's append-only audit trail (`state/audit.jsonl`), read only (a running
 * session may be appending: a last line still being written is left as it is).
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditTrail } from '../../adapters/store/auditTrail.ts';
import { ManualClock } from '../../core/clock.ts';
import { riskBreaches } from '../../cli/evidence.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-evidence-breaches-');

describe('prop-firm breaches from the audit trail', () => {
  it('finds every risk kill with its rule, old and new wording, and changes nothing on disk', async () => {
    const home = tempHome();
    mkdirSync(join(home, 'state'), { recursive: true });
    const path = join(home, 'state', 'audit.jsonl');
    const audit = await openAuditTrail(path, new ManualClock(Date.UTC(2026, 0, 5)));
    const t = Date.UTC(2026, 0, 5, 15);
    await audit.append({ who: 'risk', action: 'risk-state', args: { detail: 'normal -> limited (consecutive-losses)', time: t }, result: 'ok' });
    await audit.append({ who: 'risk', action: 'risk-state', args: { detail: 'normal -> killed: risk: prop-firm rule daily loss: -$1,050.00 reaches $1,000.00', time: t + 1 }, result: 'ok' });
    await audit.append({ who: 'operator', action: 'kill', args: { detail: 'x -> killed', time: t + 2 }, result: 'ok' });
    await audit.append({ who: 'risk', action: 'risk-state', args: { detail: 'limited -> killed', time: t + 3 }, result: 'ok' });
    await audit.close();
    appendFileSync(path, '{"at":1,"who":"risk","action":"risk-sta'); // a session writing right now
    const before = readFileSync(path, 'utf8');
    const breaches = riskBreaches(home);
    expect(breaches.map((b) => b.time)).toEqual([t + 1, t + 3]);
    expect(breaches[0]!.detail).toContain('prop-firm rule daily loss');
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('a home without an audit trail has no breach', () => {
    expect(riskBreaches(tempHome())).toEqual([]);
  });
});
