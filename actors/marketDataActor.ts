/**
 * Market-data actor: drives a bar source onto the MarketBus (the hot path, plain calls)
 * and tells the orchestrator only what changes state: the session is ending, the data
 * is done, or the feed failed. The source lives outside the actor, so a supervised
 * restart continues where the failed instance stopped instead of replaying from the start.
 *
 * At speed 'max' bars are published in slices, yielding to the event loop between them
 * (signals, persistence and SIGINT stay responsive); at speed N, N bars (simulated
 * minutes) are published per second of wall time.
 */
import { fromCallback } from 'xstate';
import type { Bar } from '../core/types.ts';
import type { MarketBus } from '../core/marketBus.ts';
import type { ManualClock } from '../core/clock.ts';
import { childFailed, type ChildEvent, type MarketDataCommand } from '../machines/orchestratorEvents.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

export interface BarSource {
  /** The next bar, or null when the series is exhausted. */
  next(): Bar | null;
  /**
   * A source whose length is known only near its end (a file still being parsed): the bars
   * left after those handed out when they are `max` or fewer, else null. With it, a session
   * of unbounded `maxBars` announces its flatten where a session of the source's length would.
   */
  remainingWithin?(max: number): number | null;
}

export interface MarketDataDeps {
  bus: MarketBus;
  source: BarSource;
  /** The session clock, set to each bar's close: replay time is the session's time. */
  clock: ManualClock;
  barMs: number;
  /** Bars to publish in this session (the source may end sooner). */
  maxBars: number;
  /** Bars before the end at which the orchestrator is told to flatten. */
  flattenLeadBars: number;
  speed: 'max' | number;
  /** Progress shared across restarts of the actor. */
  progress: { bars: number; done: boolean };
  /**
   * At speed 'max', asked before every bar: a promise while the venue still owes answers
   * (orders in flight over a socket), null when it owes none. Waiting keeps a replay
   * through a DTC server in step with it: an order sent on a bar's close meets the next
   * bar at the venue, exactly as in process.
   */
  settle?: () => Promise<void> | null;
}

const SLICE = 512;

/** The most bars before the end at which a session is told to flatten. */
const MAX_FLATTEN_LEAD = 5;
/** Bars before the end at which a session of `total` bars is told to flatten. */
export const flattenLead = (total: number): number => Math.min(MAX_FLATTEN_LEAD, Math.floor(total / 10));

export function marketDataActor(deps: MarketDataDeps) {
  return fromCallback<MarketDataCommand, ChildInput>(({ sendBack, receive }) => {
    const { bus, source, clock, progress } = deps;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    // At speed 'max' the next slice runs on setImmediate: it still lets I/O, signals and
    // SIGINT in, without the ~1 ms a setTimeout(0) idles between slices.
    let immediate: NodeJS.Immediate | undefined;
    const endingAt = Math.max(0, deps.maxBars - deps.flattenLeadBars);

    const finish = () => {
      progress.done = true;
      bus.publishEnd();
      sendBack({ type: 'MD.DONE', bars: progress.bars, time: clock.now() } satisfies ChildEvent);
    };

    /** A bar the venue has seen but the strategy not yet (only with `settle`). */
    let halfway: Bar | null = null;

    /** Publishes one bar (or its venue half); false when the session is over. */
    const step = (): boolean => {
      if (progress.done) return false;
      if (progress.bars >= deps.maxBars) {
        finish();
        return false;
      }
      const bar = source.next();
      if (!bar) {
        finish();
        return false;
      }
      clock.set(bar.time + deps.barMs);
      if (deps.settle) {
        // The venue answers (fills over a socket) before the strategy sees the bar, as in process.
        bus.publishBarToVenue(bar);
        halfway = bar;
        return true;
      }
      bus.publishBar(bar);
      barDone();
      return true;
    };

    const finishHalfway = () => {
      const bar = halfway!;
      halfway = null;
      bus.publishBarAfterVenue(bar);
      barDone();
    };

    // Without a bound, a source that can look ahead says where the session of its length ends.
    const lookAhead = Number.isFinite(deps.maxBars) ? undefined : source.remainingWithin?.bind(source);
    const barDone = () => {
      progress.bars++;
      let ending = progress.bars === endingAt;
      if (lookAhead) {
        const left = lookAhead(MAX_FLATTEN_LEAD);
        ending = left !== null && left === flattenLead(progress.bars + left);
      }
      if (ending) sendBack({ type: 'MD.ENDING', time: clock.now() } satisfies ChildEvent);
    };

    const run = () => {
      timer = undefined;
      immediate = undefined;
      if (stopped) return;
      try {
        if (deps.speed === 'max') {
          for (let i = 0; i < SLICE; i++) {
            // MD.STOP may arrive from inside a bar (the session ended): not one bar more.
            if (stopped) return;
            const pending = deps.settle?.() ?? null;
            if (pending) {
              pending.then(() => run(), fail);
              return;
            }
            if (halfway) finishHalfway();
            else if (!step()) return;
          }
          immediate = setImmediate(run);
        } else {
          if (halfway) finishHalfway();
          if (step()) {
            if (halfway) finishHalfway();
            timer = setTimeout(run, 1000 / deps.speed); // N simulated minutes (bars) per real second
          }
        }
      } catch (err) {
        fail(err);
      }
    };

    // Report, never throw: a throwing callback actor would leak its timer.
    function fail(err: unknown): void {
      if (stopped) return;
      stopped = true;
      sendBack(childFailed('marketData', err, clock.now()));
    }

    receive((event) => {
      if (event.type === 'MD.STOP') {
        stopped = true;
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
      }
    });
    timer = setTimeout(run, 0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    };
  });
}
