/**
 * `npm run drill [-- --client-kills N --server-kills M --speed S]`: the crash drill
 * (drill/crashDrill.ts) and the malicious-server drill (drill/maliciousDrill.ts), with
 * their tables. Never part of `npm test` (a 5-kill version is: test/drill/).
 */
import { parseArgs } from 'node:util';
import { formatTable, runCrashDrill } from './crashDrill.ts';
import { runMaliciousDrill } from './maliciousDrill.ts';

const { values } = parseArgs({
  options: { 'client-kills': { type: 'string', default: '20' }, 'server-kills': { type: 'string', default: '5' }, speed: { type: 'string', default: '300' }, log: { type: 'string' } },
});
const say = (line: string) => process.stdout.write(`${line}\n`);
const table = await runCrashDrill({ clientKills: Number(values['client-kills']), serverKills: Number(values['server-kills']), speed: Number(values.speed), say, logFile: values.log });
say('\n== crash drill ==');
say(formatTable(table));
const malicious = await runMaliciousDrill({ say });
say('\n== malicious server ==');
say(Object.entries(malicious).map(([k, v]) => `${k.padEnd(28)} ${v}`).join('\n'));
