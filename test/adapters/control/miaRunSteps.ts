/** Shared steps of the control-channel CLI tests: start and stop `mia run`, run `mia <command>`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runMia, startMia, type MiaProcess } from '../../fixtures/runMia.ts';

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `mia run` playing 600 simulated minutes per second, until stopped. */
export async function startRun(home: string): Promise<MiaProcess> {
  // Loss limits out of reach: these tests drive the kill switch themselves, and the
  // simulated strategy can lose its daily limit within minutes at this speed.
  const p = startMia(['run', '--feed', 'simulated', '--speed', '600'], { MIA_HOME: home, MIA__risk__dailyLossLimit: '1000000', MIA__risk__trailingDrawdown: '1000000' });
  let exited = false;
  void p.done.then(() => (exited = true));
  await waitFor('control.json', () => exited || existsSync(join(home, 'control.json')));
  if (exited) throw new Error(`mia run exited early: ${JSON.stringify(await p.done)}`);
  return p;
}

export async function stopRun(p: MiaProcess) {
  p.child.kill('SIGTERM');
  return p.done;
}

export const mia = async (home: string, ...args: string[]) => {
  const r = await runMia(args, { MIA_HOME: home });
  return { ...r, json: r.stdout.trim().startsWith('{') ? (JSON.parse(r.stdout) as { ok: boolean; message: string; data?: any }) : undefined };
};

