/**
 * `npm run drill [-- --client-kills N --server-kills M --speed S --log FILE]`: the crash
 * drill (drill/crashDrill.ts) and the malicious-server drill (drill/maliciousDrill.ts),
 * with their tables. `--fuzz N` runs the fuzz drill instead (drill/fuzz.ts, N frames,
 * default 1,000,000); `--soak-months M` the soak (drill/soak.ts). Never part of `npm test`
 * (a 5-kill version is: test/drill/).
 */
import { parseArgs } from 'node:util';
import { formatTable, runCrashDrill } from './crashDrill.ts';
import { runMaliciousDrill } from './maliciousDrill.ts';
import { formatFuzz, runFuzz } from './fuzz.ts';

const { values } = parseArgs({
  options: {
    'client-kills': { type: 'string', default: '20' },
    'server-kills': { type: 'string', default: '5' },
    speed: { type: 'string', default: '300' },
    log: { type: 'string' },
    keep: { type: 'boolean', default: false },
    fuzz: { type: 'string' },
    'soak-months': { type: 'string' },
  },
});
const say = (line: string) => process.stdout.write(`${line}\n`);
const count = (flag: string, v: string): number => {
  const n = Number(v.replaceAll(/[_,]/g, ''));
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`${flag} must be a positive integer, got ${v}\n`);
    process.exit(2);
  }
  return n;
};

if (values.fuzz !== undefined) {
  const result = await runFuzz({ frames: count('--fuzz', values.fuzz === '' ? '1000000' : values.fuzz), say });
  say('\n== fuzz ==');
  say(formatFuzz(result));
  process.exitCode = result.crashes === 0 && result.client.healthyAfter && result.server.healthyAfter ? 0 : 1;
} else if (values['soak-months'] !== undefined) {
  const { formatSoak, runSoak } = await import('./soak.ts');
  const result = await runSoak({ months: count('--soak-months', values['soak-months']), say });
  say('\n== soak ==');
  say(formatSoak(result));
} else {
  const table = await runCrashDrill({ clientKills: Number(values['client-kills']), serverKills: Number(values['server-kills']), speed: Number(values.speed), say, logFile: values.log, keep: values.keep });
  say('\n== crash drill ==');
  say(formatTable(table));
  const malicious = await runMaliciousDrill({ say });
  say('\n== malicious server ==');
  say(Object.entries(malicious).map(([k, v]) => `${k.padEnd(28)} ${v}`).join('\n'));
}
