/**
 * Tells the risk actor the limits and the phase it judges with (RiskEvent CONFIGURE): at
 * every session start (a restored risk actor keeps the limits it was saved with, since XState
 * ignores `input` on restore) and whenever the deployment phase changes, so that a promotion
 * or a demotion brings its account rules (prop firm, live) at once, without a restart.
 */
import type { Tx } from './orchestratorTx.ts';
import type { RiskSnapshot } from './risk.ts';
import { currentPhase, type DeploymentSnapshot } from './deployment.ts';
import type { PhaseName } from '../config/gates.ts';

/** The phase the deployment child is in; setup (the most restrictive) when there is none. */
function phaseNow(tx: Tx): PhaseName {
  const snap = tx.child('deployment')?.getSnapshot() as DeploymentSnapshot | undefined;
  return snap ? currentPhase(snap).name : 'setup';
}

/**
 * Sends CONFIGURE with the settings' limits and the current phase; with `onlyIfPhaseChanged`,
 * only when the risk actor judges with another phase than the deployment's.
 */
export function configureRisk(tx: Tx, time: number, onlyIfPhaseChanged = false): void {
  const phase = phaseNow(tx);
  if (onlyIfPhaseChanged) {
    const risk = tx.child('risk')?.getSnapshot() as RiskSnapshot | undefined;
    if (!risk || (risk.context.phase ?? null) === phase) return;
  }
  tx.send('risk', { type: 'CONFIGURE', time, limits: tx.ctx.settings.limits, phase });
}
