/**
 * withConnection: the connection machine is a child of the actor that owns it, restored
 * from a persisted snapshot by name; a snapshot saved before the actor had children
 * (a plain callback actor) starts it afresh instead of leaving it without a connection.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, setup, type AnyActorRef } from 'xstate';
import { withConnection } from '../../actors/connectionHost.ts';

const input = { name: 'dtc', heartbeatMs: 1_000, maxAttempts: 1, backoffBaseMs: 1, backoffMaxMs: 2, seed: 1 };

function parentOf() {
  const logic = withConnection({ id: 'execution', connection: input, io: fromCallback(() => undefined), commands: [], reports: [] });
  return setup({ actors: { execution: logic } }).createMachine({ invoke: { id: 'execution', systemId: 'execution', src: 'execution', input: { generation: 3 } } });
}

const childrenOf = (actor: AnyActorRef) => Object.keys((actor.getSnapshot().children.execution as AnyActorRef).getSnapshot().children).sort();

describe('withConnection', () => {
  it('owns a connection child and an io child; both survive a JSON round trip of the persisted snapshot', () => {
    const parent = parentOf();
    const first = createActor(parent).start();
    expect(childrenOf(first)).toEqual(['connection', 'io']);
    const saved = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    const second = createActor(parent, { snapshot: saved }).start();
    expect(childrenOf(second)).toEqual(['connection', 'io']);
    const execution = second.getSnapshot().children.execution as AnyActorRef;
    expect(execution.getSnapshot().context).toEqual({ generation: 3 });
    expect((execution.getSnapshot().children.connection as AnyActorRef).getSnapshot().context).toMatchObject({ name: 'dtc', prng: 1 });
    second.stop();
  });

  it('a snapshot saved when the actor was a plain callback starts it afresh, with its connection', () => {
    const parent = parentOf();
    const first = createActor(parent).start();
    const saved = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    saved.children.execution.snapshot = { status: 'active', input: { generation: 2 } };
    const second = createActor(parent, { snapshot: saved }).start();
    expect(second.getSnapshot().status).toBe('active');
    expect(childrenOf(second)).toEqual(['connection', 'io']);
    expect((second.getSnapshot().children.execution as AnyActorRef).getSnapshot().context).toEqual({ generation: 2 });
    second.stop();
  });
});
