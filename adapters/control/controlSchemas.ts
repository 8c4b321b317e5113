/**
 * The control channel's zod schemas: the request a running MIA accepts, the response it
 * sends, and `control.json`'s endpoint. Apart from the other control modules so that a
 * client loads zod only once there is something to check: `mia status` with no mia running
 * answers without it (start-up, issue 16).
 */
import * as z from 'zod';
import { controlCommands } from './controlProtocol.ts';

const text = z.string().max(500);

export const controlRequestSchema = z.strictObject({
  command: z.enum(controlCommands),
  /** Who asks: `cli:<user>` or `discord:<userId>`. */
  who: z.string().trim().min(1).max(120),
  reason: text.optional(),
  /** flatten only: close the position but leave entries allowed (default: entries pause until resume). */
  keepTrading: z.boolean().optional(),
});

export const controlResponseSchema = z.object({
  /** False when the command was refused (by a machine, or as malformed) or failed. */
  ok: z.boolean(),
  command: z.string(),
  /** One human line saying what happened, or why not. */
  message: z.string(),
  /** Structured detail: the status, the gate evaluation of a refused advance, ... */
  data: z.json().optional(),
});

const token = z.string().regex(/^[0-9a-f]{64}$/);
const pid = z.number().int().positive();

/** `control.json`: a loopback TCP port or a unix socket, the token, and the owner's pid. */
export const endpointSchema = z.union([
  z.strictObject({ port: z.number().int().min(1).max(65_535), token, pid }),
  z.strictObject({ socket: z.string().min(1), token, pid }),
]);
