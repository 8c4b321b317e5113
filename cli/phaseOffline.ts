/**
 * `mia phase status|advance|override|history` when no MIA runs at the home: the deployment
 * machine is restored from the home's state under the home lock (so no session can start
 * meanwhile), the command runs on it exactly as over the control channel
 * (operator/phaseCommands.ts), and a change is persisted both where `mia run` restores the
 * machine from (the deployment child of state/orchestrator.json) and in state/deployment.json,
 * and written to the audit trail.
 */
import { createActor, type Snapshot } from 'xstate';
import type { MiaConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { openStateStore } from '../adapters/store/stateStore.ts';
import type { ControlRequest, ControlResponse } from '../adapters/control/controlProtocol.ts';
import { deploymentMachine, type DeploymentSnapshot } from '../machines/deployment.ts';
import { runPhaseCommand } from '../operator/phaseCommands.ts';
import { orchestratorMachine } from '../machines/orchestrator.ts';
import { tradedAccount } from '../config/accounts.ts';
import { sessionSettings } from '../session/session.ts';

interface PersistedChildren {
  children?: Record<string, { snapshot?: unknown }>;
}

/** The persisted snapshot of an orchestrator created from `config` and never started on a venue. */
function restingOrchestrator(config: MiaConfig): PersistedChildren {
  const found = tradedAccount(config.venue, config.accounts);
  const account = 'error' in found ? { id: config.venue.dtc.account ?? 'unknown', kind: null } : found;
  const actor = createActor(orchestratorMachine, { input: { settings: sessionSettings(config, account) } });
  actor.start();
  const persisted = actor.getPersistedSnapshot() as PersistedChildren;
  actor.stop();
  if (!persisted.children?.deployment) throw new Error('the orchestrator has no deployment child to carry the phase');
  return JSON.parse(JSON.stringify(persisted)) as PersistedChildren;
}

/** Runs one phase command on the home's persisted deployment machine; see the module comment. */
export async function offlinePhaseCommand(request: ControlRequest, options: { home: string; config: MiaConfig; clock: Clock }): Promise<ControlResponse> {
  const store = await openStateStore(options.home, { clock: options.clock });
  try {
    const orchestrator = store.orchestrator.load();
    const inOrchestrator = (orchestrator?.snapshot as PersistedChildren | null | undefined)?.children?.deployment?.snapshot;
    // What the next `mia run` restores wins; deployment.json is its copy.
    const saved = inOrchestrator ?? store.deployment.load()?.snapshot;
    const actor = createActor(deploymentMachine, {
      input: { thresholds: options.config.gates },
      ...(saved ? { snapshot: saved as unknown as Snapshot<unknown> } : {}),
    });
    actor.start();
    const before = actor.getSnapshot().context.history.length;
    const response = runPhaseCommand(request, { snapshot: () => actor.getSnapshot() as DeploymentSnapshot, send: (e) => actor.send(e) }, options);
    if (actor.getSnapshot().context.history.length !== before) {
      const persisted = actor.getPersistedSnapshot();
      await store.deployment.save(persisted);
      // A home that never ran gets an orchestrator snapshot at rest (what a fresh `mia run`
      // would create) holding the new phase, so that its first session starts in it.
      const base = inOrchestrator !== undefined && orchestrator ? (structuredClone(orchestrator.snapshot) as PersistedChildren) : restingOrchestrator(options.config);
      base.children!.deployment!.snapshot = persisted;
      await store.orchestrator.save(base);
    }
    actor.stop();
    await store.audit.append({ who: request.who, action: `${request.command} (no session)`, args: { detail: request.reason ?? null }, result: { ok: response.ok, message: response.message } });
    return response;
  } finally {
    await store.close();
  }
}
