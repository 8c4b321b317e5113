/**
 * Model-based coverage for statecharts: the graph of abstract states (xstate/graph, with a
 * serializer that keeps context from multiplying states) gives, for every edge, the
 * shortest event sequence that takes it. Tests replay each sequence on a live actor and
 * check that it lands where the model says, while an inspector records which state nodes
 * and which transition definitions actually ran.
 */
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, AnyTransitionDefinition, EventObject, InspectionEvent } from 'xstate';
import { getAdjacencyMap, getShortestPaths, getStateNodes, type AdjacencyMap } from 'xstate/graph';

export interface EdgeWalk<TEvent extends EventObject> {
  /** Events from the initial state: the shortest path to the edge's source, then the edge's event. */
  events: TEvent[];
  /** Abstract state (serialized) the model predicts after the last event. */
  expected: string;
}

export interface GraphOptions<TEvent extends EventObject> {
  input: unknown;
  /** Events to try in a state (payload variants); delayed (`xstate.after.*`) events are added by the graph. */
  events: (snapshot: AnyMachineSnapshot) => TEvent[];
  /** The abstract state: what matters for behaviour, nothing that grows without bound. */
  serialize: (snapshot: AnyMachineSnapshot) => string;
}

/** One walk per edge of the abstract state graph. */
export function edgeWalks<TEvent extends EventObject>(machine: AnyStateMachine, options: GraphOptions<TEvent>): EdgeWalk<TEvent>[] {
  const traversal = {
    input: options.input,
    // Only events some active state handles, plus its delayed events (fired by the clock in a live run).
    events: (snapshot: AnyMachineSnapshot) => {
      const handled = new Set(snapshot._nodes.flatMap((node) => node.ownEvents));
      const delayed = [...handled].filter((type) => type.startsWith('xstate.after.')).map((type) => ({ type }) as TEvent);
      return [...options.events(snapshot).filter((event) => handled.has(event.type)), ...delayed];
    },
    serializeState: (snapshot: AnyMachineSnapshot) => options.serialize(snapshot),
  };
  const shortest = new Map<string, TEvent[]>();
  for (const path of getShortestPaths(machine, traversal)) {
    // steps[0] is the initial state reached by xstate.init; each later step carries its event.
    shortest.set(options.serialize(path.state), path.steps.slice(1).map((step) => step.event as TEvent));
  }
  const walks: EdgeWalk<TEvent>[] = [];
  const adjacency: AdjacencyMap<AnyMachineSnapshot, EventObject> = getAdjacencyMap(machine, traversal);
  for (const [source, { transitions }] of Object.entries(adjacency)) {
    const prefix = shortest.get(source);
    if (!prefix) throw new Error(`no path to ${source}`);
    for (const edge of Object.values(transitions) as Array<{ event: EventObject; state: AnyMachineSnapshot }>) {
      walks.push({ events: [...prefix, edge.event as TEvent], expected: options.serialize(edge.state) });
    }
  }
  return walks;
}

function allNodes(machine: AnyStateMachine): AnyStateNode[] {
  return [machine.root, ...getStateNodes(machine.root)];
}

/** Stable name of a transition definition: source, event (or 'always') and index among its alternatives. */
export function transitionKey(transition: AnyTransitionDefinition): string {
  const source = transition.source;
  const always = source.always?.indexOf(transition) ?? -1;
  if (always >= 0) return `${source.id} always #${always}`;
  const index = source.transitions.get(transition.eventType)?.indexOf(transition) ?? -1;
  return `${source.id} ${transition.eventType} #${index}`;
}

/** Every transition definition of the machine, by key. */
export function allTransitionKeys(machine: AnyStateMachine): string[] {
  return allNodes(machine).flatMap((node) => [
    ...[...node.transitions.values()].flat().map(transitionKey),
    ...(node.always ?? []).map(transitionKey),
  ]);
}

/** Every state node id except the root. */
export function allStateNodeIds(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root).map((node) => node.id);
}

/** Collects, from inspection events, the transitions taken and the state nodes entered. */
export class CoverageRecorder {
  readonly transitions = new Set<string>();
  readonly stateNodes = new Set<string>();

  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
    if (event.type === '@xstate.microstep') for (const t of event._transitions) this.transitions.add(transitionKey(t));
    const snapshot = event.snapshot as AnyMachineSnapshot;
    for (const node of snapshot._nodes ?? []) this.stateNodes.add(node.id);
  };
}
