/**
 * Execution actor for the in-process paper venue: forwards the orchestrator's orders to
 * the SimulatedVenue and its reports back. The venue is subscribed to the MarketBus
 * (venue stage) by the session, not by this actor, so orders keep matching while a
 * restarted actor reconnects; on connect it reports the venue's truth for reconciliation.
 * The DTC execution actor (issue 3) replaces it behind the same events.
 *
 * No connection child: nothing here can connect or disconnect (the venue is in the same
 * process), so the inspector shows no connection machine rather than one that is always up.
 */
import { fromCallback } from 'xstate';
import type { Clock } from '../core/clock.ts';
import type { SimulatedVenue } from '../adapters/simulated/simulatedVenue.ts';
import type { BracketOrder, VenueCommand } from '../core/venue.ts';
import { childFailed, type ChildEvent } from '../machines/orchestratorEvents.ts';
import type { ChildInput } from '../machines/orchestrator.ts';

export interface SimulatedExecutionDeps {
  venue: SimulatedVenue;
  clock: Clock;
}

/**
 * A bracket as the in-process venue takes it natively: the entry, then the stop and target
 * as one OCO pair held until the entry fills (at once when there is no entry).
 */
function submitBracket(venue: SimulatedVenue, bracket: BracketOrder, time: number): void {
  const { entry, stop, target } = bracket;
  if (entry) venue.submit(entry, time);
  venue.submitOco([stop, target], time, entry ? { parentClientOrderId: entry.clientOrderId } : {});
}

export function simulatedExecutionActor(deps: SimulatedExecutionDeps) {
  return fromCallback<VenueCommand, ChildInput>(({ sendBack, receive }) => {
    const { venue, clock } = deps;
    const listener = (e: ChildEvent) => sendBack(e);
    const reconcile = () => sendBack({ type: 'VENUE.RECONCILED', ...venue.snapshot(), time: clock.now() } satisfies ChildEvent);

    receive((command) => {
      try {
        if (command.type === 'VENUE.SUBMIT') venue.submit(command.request, clock.now());
        else if (command.type === 'VENUE.SUBMIT_BRACKET') submitBracket(venue, command.bracket, clock.now());
        else if (command.type === 'VENUE.CANCEL') venue.cancel(command.clientOrderId, clock.now());
        else if (command.type === 'VENUE.RECONCILE') reconcile();
      } catch (err) {
        sendBack(childFailed('execution', err, clock.now()));
      }
    });
    venue.attach(listener);
    sendBack({ type: 'VENUE.UP', time: clock.now() } satisfies ChildEvent);
    reconcile();
    return () => venue.detach(listener);
  });
}
