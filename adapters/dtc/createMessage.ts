/**
 * Building messages: every member the caller leaves out takes the header's default, so
 * `createDtcMessage(MessageType.OPEN_ORDERS_REQUEST, { RequestID: 7 })` asks for all orders.
 */
import { DtcFrameError } from './frameError.ts';
import { MESSAGE_LAYOUTS } from './messageLayouts.ts';
import type { MessageType } from './messageType.ts';
import type { DtcMessageOf } from './messages.ts';

/**
 * A complete message of type `type`: `members` over the layout's defaults.
 * @throws DtcFrameError UNKNOWN_TYPE for a type without layout.
 */
export function createDtcMessage<T extends MessageType>(
  type: T,
  members: Partial<Omit<DtcMessageOf<T>, 'Type'>> = {},
): DtcMessageOf<T> {
  const layout = MESSAGE_LAYOUTS.get(type);
  if (layout === undefined) {
    throw new DtcFrameError('UNKNOWN_TYPE', `no layout for message type ${type}`, { messageType: type });
  }
  const given = members as Record<string, unknown>;
  const message: Record<string, unknown> = { Type: type };
  for (const field of layout.fields) {
    const value = given[field.name];
    message[field.name] = value === undefined ? field.default : value;
  }
  return message as unknown as DtcMessageOf<T>;
}
