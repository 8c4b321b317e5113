/**
 * `mia config init | show | validate | schema`: start, print, check and describe the one
 * configuration (config/schema.ts). Exit codes: 0 done, 2 an invalid file or bad usage
 * (every issue listed, each naming its key).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import * as z from 'zod';
import { loadConfig, validateConfigFile } from '../config/load.ts';
import { configSchema } from '../config/schema.ts';
import { maskSecrets, secretEnvironment } from '../config/maskSecrets.ts';
import { phaseExample, phaseExampleText, phaseIds } from '../config/phaseExamples.ts';
import type { PhaseId } from '../config/gates.ts';
import { EXIT_OK, EXIT_USAGE, UsageError } from './usage.ts';

const parsePhase = (value: string): PhaseId => {
  const n = Number(value);
  if (!phaseIds.includes(n as PhaseId)) throw new InvalidArgumentError(`--phase must be one of ${phaseIds.join(', ')}, got "${value}"`);
  return n as PhaseId;
};

/** The JSON Schema of a configuration file, generated from the zod schema the loader uses. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const properties = { $schema: { type: 'string', description: 'this schema, for editors; ignored by mia' }, ...(schema.properties as object) };
  return { ...schema, title: 'MIA configuration', properties };
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('configuration: start one for a phase, show the effective one, validate a file, print the JSON Schema');

  config
    .command('init')
    .description('write a starting configuration for a deployment phase (docs/config/ holds the same files)')
    .option('--phase <n>', 'deployment phase 0-6', parsePhase, 0 as PhaseId)
    .option('--out <file>', 'file to write, or - for stdout', 'mia.config.json')
    .option('--force', 'overwrite an existing file')
    .action((opts: { phase: PhaseId; out: string; force?: boolean }) => {
      const text = phaseExampleText(opts.phase);
      if (opts.out === '-') {
        process.stdout.write(text);
        return;
      }
      const file = resolve(opts.out);
      if (existsSync(file) && !opts.force) throw new UsageError(`${opts.out} exists; pass --force to overwrite it or --out another file`);
      writeFileSync(file, text);
      process.stdout.write(`wrote ${opts.out}: phase ${opts.phase} ${phaseExample(opts.phase).summary}\nnext: mia config validate ${opts.out} (editors: mia config schema > mia.schema.json)\n`);
    });

  config
    .command('show')
    .description('print the effective configuration (defaults <- file <- MIA__* environment), secrets masked')
    .option('--config <file>', 'configuration file (JSON); also MIA_CONFIG')
    .action((opts: { config?: string }) => {
      const effective = loadConfig(opts.config ? { file: opts.config } : {});
      const shown = { ...(maskSecrets(effective) as object), environment: secretEnvironment(effective, process.env) };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    });

  config
    .command('validate')
    .description('check a configuration file: every issue at once (exit 2), nothing printed to stderr when valid')
    .argument('<file>', 'configuration file (JSON)')
    .option('--json', 'print {valid, issues: [{key, reason}]}')
    .action((file: string, opts: { json?: boolean }) => {
      const issues = validateConfigFile(file);
      if (opts.json) process.stdout.write(`${JSON.stringify({ valid: issues.length === 0, issues }, null, 2)}\n`);
      else if (issues.length === 0) process.stdout.write(`${file}: valid\n`);
      else process.stderr.write(`mia: ${file}: ${issues.length} ${issues.length === 1 ? 'issue' : 'issues'}\n${issues.map((i) => `  ${i.key}: ${i.reason}\n`).join('')}`);
      process.exitCode = issues.length === 0 ? EXIT_OK : EXIT_USAGE;
    });

  config
    .command('schema')
    .description('print the JSON Schema of a configuration file (generated from the zod schema)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}
