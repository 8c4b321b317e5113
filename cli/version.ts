/** MIA's version, as package.json states it (`mia --version`). */
import { readFileSync } from 'node:fs';

export const miaVersion = (): string => (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
