/** Signals: premium at once, public after the delay, never twice, also across a restart. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalPublisher } from '../../../adapters/discord/signalPublisher.ts';
import type { SignalAudience } from '../../../adapters/signals/signalLog.ts';
import { ManualTimers } from './manualTimers.ts';

const DELAY = 15 * 60_000;

function harness(o: { failures?: Partial<Record<SignalAudience, number>>; start?: number } = {}) {
  const timers = new ManualTimers(o.start ?? 1_000_000);
  const posts: Array<{ audience: SignalAudience; text: string; at: number }> = [];
  const published: Array<{ id: string; audience: SignalAudience; at: number }> = [];
  const errors: Array<{ id: string; audience: SignalAudience }> = [];
  const failures = { premium: o.failures?.premium ?? 0, public: o.failures?.public ?? 0 };
  const publisher = new SignalPublisher({
    post: async (audience, text) => {
      if (failures[audience] > 0) {
        failures[audience]--;
        throw new Error('discord 500');
      }
      posts.push({ audience, text, at: timers.clock.now() });
    },
    publicDelayMs: DELAY,
    clock: timers.clock,
    timers,
    onPublished: (id, audience, at) => published.push({ id, audience, at }),
    onError: (_e, id, audience) => errors.push({ id, audience }),
    retryMs: 1_000,
  });
  return { timers, posts, published, errors, publisher };
}

describe('SignalPublisher', () => {
  it('posts to premium at once and to public after the delay, with the same text', async () => {
    const { timers, posts, published, publisher } = harness();
    expect(publisher.publish({ id: 's1', text: 'LONG ES @ 6000' })).toBe(true);
    await timers.advance(0);
    expect(posts).toEqual([{ audience: 'premium', text: 'LONG ES @ 6000', at: 1_000_000 }]);
    await timers.advance(DELAY - 1);
    expect(posts).toHaveLength(1);
    await timers.advance(1);
    expect(posts[1]).toEqual({ audience: 'public', text: 'LONG ES @ 6000', at: 1_000_000 + DELAY });
    expect(published.map((p) => [p.id, p.audience])).toEqual([
      ['s1', 'premium'],
      ['s1', 'public'],
    ]);
  });

  it('publishing the same signal again does nothing', async () => {
    const { timers, posts, publisher } = harness();
    publisher.publish({ id: 's1', text: 'a' });
    expect(publisher.publish({ id: 's1', text: 'a' })).toBe(false);
    await timers.advance(DELAY * 2);
    expect(publisher.publish({ id: 's1', text: 'a' })).toBe(false);
    await timers.advance(DELAY * 2);
    expect(posts.map((p) => p.audience)).toEqual(['premium', 'public']);
  });

  it('after a restart: what the log says was posted is never posted again; an owed public post goes out on time', async () => {
    const { timers, posts, publisher } = harness({ start: 5_000_000 });
    // Log: s1 went to both; s2 went to premium 10 minutes ago; s3 to premium an hour ago.
    publisher.alreadyPublished('s1', 'premium');
    publisher.alreadyPublished('s1', 'public');
    publisher.alreadyPublished('s2', 'premium');
    publisher.alreadyPublished('s3', 'premium');
    expect(publisher.publish({ id: 's1', text: 's1' })).toBe(false);
    expect(publisher.schedulePublic({ id: 's1', text: 's1' }, 0)).toBe(false);
    expect(publisher.schedulePublic({ id: 's2', text: 's2' }, 5_000_000 - 10 * 60_000)).toBe(true);
    expect(publisher.schedulePublic({ id: 's3', text: 's3' }, 5_000_000 - 60 * 60_000)).toBe(true);
    await timers.advance(0);
    expect(posts.map((p) => [p.audience, p.text, p.at])).toEqual([['public', 's3', 5_000_000]]);
    await timers.advance(5 * 60_000);
    expect(posts.map((p) => [p.audience, p.text, p.at])).toEqual([
      ['public', 's3', 5_000_000],
      ['public', 's2', 5_000_000 + 5 * 60_000],
    ]);
  });

  it('retries a failed post, then reports it; onPublished only for posts that went out', async () => {
    const ok = harness({ failures: { premium: 2 } });
    ok.publisher.publish({ id: 's1', text: 'x' });
    await ok.timers.advance(10_000);
    expect(ok.posts.map((p) => p.audience)).toEqual(['premium']);
    expect(ok.errors).toEqual([]);

    const bad = harness({ failures: { premium: 5 } });
    bad.publisher.publish({ id: 's1', text: 'x' });
    await bad.timers.advance(DELAY + 10_000);
    expect(bad.errors).toEqual([{ id: 's1', audience: 'premium' }]);
    expect(bad.published.map((p) => p.audience)).toEqual(['public']);
  });

  it('close cancels the public posts still owed', async () => {
    const { timers, posts, publisher } = harness();
    publisher.publish({ id: 's1', text: 'x' });
    await timers.advance(0);
    expect(publisher.pending()).toBe(1);
    publisher.close();
    await timers.advance(DELAY * 2);
    expect(posts.map((p) => p.audience)).toEqual(['premium']);
  });

  it('property: whatever the order and repetition of publishes, each signal reaches each audience exactly once, public exactly the delay later', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ id: fc.integer({ min: 1, max: 6 }), gap: fc.integer({ min: 0, max: DELAY }) }), { minLength: 1, maxLength: 30 }), async (calls) => {
        const { timers, posts, publisher } = harness();
        for (const c of calls) {
          await timers.advance(c.gap);
          publisher.publish({ id: `s${c.id}`, text: `s${c.id}` });
        }
        await timers.advance(DELAY * 2);
        const ids = [...new Set(calls.map((c) => `s${c.id}`))];
        for (const id of ids) {
          const mine = posts.filter((p) => p.text === id);
          expect(mine.map((p) => p.audience)).toEqual(['premium', 'public']);
          expect(mine[1]!.at - mine[0]!.at).toBe(DELAY);
        }
        expect(posts).toHaveLength(ids.length * 2);
      }),
      { numRuns: 50 },
    );
  });
});
