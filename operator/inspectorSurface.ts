/**
 * The live inspector of `mia run` (`--inspect`: page and ws on 127.0.0.1, URL printed and
 * written to `$MIA_HOME/inspector.url`) and/or the forwarding to Stately
 * (`--inspect-stately`, which fails soft: a warning, the rest keeps working). One inspect
 * hook feeds both.
 */
import type { Logger } from 'pino';
import type { InspectionEvent } from 'xstate';
import { systemClock } from '../core/clock.ts';
import { startInspectorServer } from '../adapters/inspector/inspectorServer.ts';
import { inspectorPage } from '../adapters/inspector/inspectorPage.ts';
import { startStatelyForwarder } from '../adapters/inspector/statelyForwarder.ts';
import { createInspectorBridge } from './inspectorBridge.ts';
import type { Session } from '../session/session.ts';

export interface InspectorSurfaceOptions {
  home: string;
  logger: Logger;
  /** Serve the local inspector page (`--inspect`). */
  page: boolean;
  /** Its port on 127.0.0.1 (default 0: ephemeral). */
  port?: number;
  /** Forward the inspection stream to Stately (`--inspect-stately`). */
  stately: boolean;
  /** Where the URLs are told to the operator (stdout, or stderr when stdout carries JSON). */
  say(line: string): void;
}

export interface InspectorSurface {
  inspect(event: InspectionEvent): void;
  attach(session: Session): void;
  close(): Promise<void>;
}

export async function startInspectorSurface(o: InspectorSurfaceOptions): Promise<InspectorSurface> {
  const { logger, say } = o;
  const bridge = o.page ? createInspectorBridge({ clock: systemClock }) : undefined;
  const server = bridge
    ? await startInspectorServer({
        home: o.home,
        feed: bridge,
        page: inspectorPage(),
        ...(o.port !== undefined ? { port: o.port } : {}),
        onRefused: (r) => logger.warn(r, 'inspector request refused'),
      }).catch((err: unknown) => {
        throw new Error(`the inspector cannot listen on 127.0.0.1:${o.port ?? 0}: ${(err as Error).message}`);
      })
    : undefined;
  if (server) {
    logger.info({ port: server.port, file: server.file }, 'inspector listening');
    say(`mia: inspector at ${server.url}`);
  }
  const stately = o.stately
    ? startStatelyForwarder({
        onConnected: (url) => {
          logger.info({ url }, 'forwarding inspection to Stately');
          say(`mia: Stately inspector at ${url}`);
        },
        onUnavailable: (reason) => logger.warn({ reason }, 'Stately inspector unreachable; the local inspector keeps working'),
      })
    : undefined;
  const inspect = bridge && stately ? (e: InspectionEvent) => (bridge.inspect(e), stately.inspect(e)) : (bridge?.inspect ?? stately!.inspect);
  return {
    inspect,
    attach: (session) => bridge?.attach(session),
    close: async () => {
      stately?.close();
      await server?.close();
    },
  };
}
