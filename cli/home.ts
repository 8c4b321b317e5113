/** Where a MIA instance keeps everything it writes: `$MIA_HOME`, else the working directory. */
import { resolve } from 'node:path';

export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.MIA_HOME ?? process.cwd());
}
