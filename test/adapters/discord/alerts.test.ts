/** The alert queue on a manual clock: batching, the per-minute limit, the bounded queue, retries. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertQueue, alertLine, type Alert } from '../../../adapters/discord/alerts.ts';
import { ManualTimers } from './manualTimers.ts';

function harness(o: { batchMs?: number; maxPerMinute?: number; maxQueued?: number; failFirst?: number; maxMessageChars?: number } = {}) {
  const timers = new ManualTimers(Date.parse('2026-01-05T15:00:00Z'));
  const sent: Array<{ at: number; text: string }> = [];
  let failures = o.failFirst ?? 0;
  const errors: unknown[] = [];
  const queue = new AlertQueue({
    send: async (text) => {
      if (failures > 0) {
        failures--;
        throw new Error('discord 503');
      }
      sent.push({ at: timers.clock.now(), text });
    },
    clock: timers.clock,
    timers,
    batchMs: o.batchMs ?? 2_000,
    maxPerMinute: o.maxPerMinute ?? 6,
    maxQueued: o.maxQueued ?? 200,
    retryMs: 5_000,
    onError: (e) => errors.push(e),
    ...(o.maxMessageChars ? { maxMessageChars: o.maxMessageChars } : {}),
  });
  const alert = (text: string, kind: Alert['kind'] = 'fill'): Alert => ({ kind, text, time: timers.clock.now() });
  return { timers, sent, queue, alert, errors };
}

describe('AlertQueue', () => {
  it('batches the alerts of one window into one message, in order', async () => {
    const { timers, sent, queue, alert } = harness();
    queue.push(alert('buy 1 ESZ25 @ 6000'));
    await timers.advance(500);
    queue.push(alert('risk normal -> limited', 'risk'));
    await timers.advance(1_000);
    queue.push(alert('venue down', 'disconnect'));
    expect(sent).toEqual([]);
    await timers.advance(500);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text.split('\n')).toEqual([
      alertLine({ kind: 'fill', text: 'buy 1 ESZ25 @ 6000', time: Date.parse('2026-01-05T15:00:00Z') }),
      alertLine({ kind: 'risk', text: 'risk normal -> limited', time: Date.parse('2026-01-05T15:00:00.500Z') }),
      alertLine({ kind: 'disconnect', text: 'venue down', time: Date.parse('2026-01-05T15:00:01.500Z') }),
    ]);
    expect(sent[0]!.text).toContain('15:00:01Z venue down');
  });

  it('never sends more than maxPerMinute messages in a rolling minute; the rest waits', async () => {
    const { timers, sent, queue, alert } = harness({ batchMs: 1_000, maxPerMinute: 2 });
    for (let i = 0; i < 3; i++) {
      queue.push(alert(`a${i}`));
      await timers.advance(1_000);
    }
    expect(sent.map((s) => s.text.slice(-2))).toEqual(['a0', 'a1']);
    await timers.advance(57_000);
    expect(sent).toHaveLength(2);
    await timers.advance(1_000);
    expect(sent).toHaveLength(3);
    expect(sent[2]!.at - sent[0]!.at).toBe(60_000);
  });

  it('holds at most maxQueued alerts while limited, dropping the oldest and saying so', async () => {
    const { timers, sent, queue, alert } = harness({ batchMs: 1_000, maxPerMinute: 1, maxQueued: 3 });
    queue.push(alert('first'));
    await timers.advance(1_000);
    for (let i = 0; i < 5; i++) queue.push(alert(`n${i}`));
    expect(queue.stats()).toMatchObject({ queued: 3, dropped: 2 });
    await timers.advance(60_000);
    expect(sent).toHaveLength(2);
    const lines = sent[1]!.text.split('\n');
    expect(lines[0]).toBe('(2 older alert(s) dropped while rate-limited)');
    expect(lines.slice(1).map((l) => l.split(' ').at(-1))).toEqual(['n2', 'n3', 'n4']);
  });

  it('a failed send loses nothing: the batch is retried', async () => {
    const { timers, sent, queue, alert, errors } = harness({ failFirst: 1, batchMs: 1_000 });
    queue.push(alert('fill 1'));
    queue.push(alert('fill 2'));
    await timers.advance(1_000);
    expect(sent).toEqual([]);
    expect(errors).toHaveLength(1);
    await timers.advance(5_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('fill 1');
    expect(sent[0]!.text).toContain('fill 2');
  });

  it('close discards what waits and stops the timer', async () => {
    const { timers, sent, queue, alert } = harness();
    queue.push(alert('x'));
    queue.close();
    queue.push(alert('y'));
    await timers.advance(10_000);
    expect(sent).toEqual([]);
    expect(timers.size).toBe(0);
  });

  it('property: every alert arrives once, in order, within the rate and the size limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 20_000 }), len: fc.integer({ min: 1, max: 400 }) }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 100, max: 5_000 }),
        async (pushes, maxPerMinute, batchMs) => {
          const { timers, sent, queue, alert } = harness({ batchMs, maxPerMinute, maxQueued: 10_000, maxMessageChars: 1_000 });
          const texts: string[] = [];
          for (const [i, p] of pushes.entries()) {
            await timers.advance(p.delay);
            const text = `#${i} ${'x'.repeat(p.len)}`;
            texts.push(text);
            queue.push(alert(text));
          }
          await timers.advance(60_000 * (pushes.length + 1));
          const delivered = sent.flatMap((s) => s.text.split('\n').map((l) => l.slice(l.indexOf('Z ') + 2)));
          expect(delivered).toEqual(texts);
          for (const s of sent) expect(s.text.length).toBeLessThanOrEqual(1_000);
          for (const s of sent) expect(sent.filter((o) => o.at >= s.at && o.at < s.at + 60_000).length).toBeLessThanOrEqual(maxPerMinute);
        },
      ),
      { numRuns: 60 },
    );
  });
});
