/**
 * Waits of the queue code that never keep the process alive by themselves (unref'd): a
 * command that ends must exit at once, not when a give-up timer of a close() or a ping
 * it no longer waits for fires.
 */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** `p`'s value, or `fallback` after `ms` (whichever comes first). */
export const within = <T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> => Promise.race([p, sleep(ms).then(() => fallback)]);
