/**
 * Execution actor for the in-process paper venue: forwards the orchestrator's orders to
 * the SimulatedVenue and its reports back. The venue is subscribed to the MarketBus
 * (venue stage) by the session, not by this actor, so orders keep matching while a
 * restarted actor reconnects; on connect it reports the venue's truth for reconciliation.
 * The DTC execution actor (issue 3) replaces it behind the same events.
 */
import { fromCallback } from 'xstate';
import type { Clock } from '../core/clock.ts';
import type { SimulatedVenue } from '../adapters/simulated/simulatedVenue.ts';
import type { ChildEvent, VenueCommand } from '../machines/orchestratorEvents.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

export interface SimulatedExecutionDeps {
  venue: SimulatedVenue;
  clock: Clock;
}

export function simulatedExecutionActor(deps: SimulatedExecutionDeps) {
  return fromCallback<VenueCommand, ChildInput>(({ sendBack, receive }) => {
    const { venue, clock } = deps;
    const listener = (e: ChildEvent) => sendBack(e);
    const reconcile = () => sendBack({ type: 'VENUE.RECONCILED', ...venue.snapshot(), time: clock.now() } satisfies ChildEvent);

    receive((command) => {
      try {
        if (command.type === 'VENUE.SUBMIT') venue.submit(command.request, clock.now());
        else if (command.type === 'VENUE.CANCEL') venue.cancel(command.clientOrderId, clock.now());
        else if (command.type === 'VENUE.RECONCILE') reconcile();
      } catch (err) {
        sendBack({ type: 'CHILD.FAILED', child: 'execution', error: (err as Error).message ?? String(err), time: clock.now() } satisfies ChildEvent);
      }
    });
    venue.attach(listener);
    sendBack({ type: 'VENUE.UP', time: clock.now() } satisfies ChildEvent);
    reconcile();
    return () => venue.detach(listener);
  });
}
