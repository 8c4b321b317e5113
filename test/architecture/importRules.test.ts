/**
 * The layering of ARCHITECTURE.md, enforced with dependency-cruiser and the repository's
 * own rule file (.dependency-cruiser.cjs): the source tree has no violation, and the same
 * rules catch a deliberately wrong import in a small tree made for the purpose.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempHomes } from '../fixtures/tempHome.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const rules = join(repo, '.dependency-cruiser.cjs');
const LAYERS = ['core', 'config', 'strategy', 'machines', 'adapters', 'actors', 'operator', 'session', 'backtest', 'cli'];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs dependency-cruiser over `dirs` of `root` with MIA's rules; returns the violations. */
async function cruise(root: string, dirs: string[]): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, '--config', rules, '--output-type', 'json', ...dirs], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string; stderr?: string }) => {
    // dependency-cruiser exits non-zero when it finds violations; the JSON is still on stdout.
    if (err.stdout) return { stdout: err.stdout };
    throw new Error(`dependency-cruiser failed: ${err.stderr ?? String(err)}`);
  });
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const describeViolations = (vs: Violation[]) => vs.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).join('\n');

describe('import rules', () => {
  const tempDir = useTempHomes('mia-layers-');

  it('the source tree respects every layering rule', async () => {
    const violations = await cruise(repo, LAYERS);
    expect(describeViolations(violations)).toBe('');
  }, 60_000);

  it('catches wrong imports: core above itself, an adapter on a statechart or on xstate, I/O in strategy, anything on cli', async () => {
    const root = tempDir();
    const file = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
    file('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }));
    file('machines/pure.ts', 'export const pure = 1;\n');
    file('core/clock.ts', "import { pure } from '../machines/pure.ts';\nexport const now = pure;\n");
    file('adapters/driver.ts', "import { createActor } from 'xstate';\nimport { pure } from '../machines/pure.ts';\nexport const drive = [createActor, pure];\n");
    file('strategy/feature.ts', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
    file('cli/main.ts', 'export const main = 1;\n');
    file('session/session.ts', "import { main } from '../cli/main.ts';\nexport const s = main;\n");
    file('operator/control.ts', "import { s } from '../session/session.ts';\nimport type { Pure } from '../session/types.ts';\nexport const c = s;\nexport type P = Pure;\n");
    file('session/types.ts', 'export type Pure = number;\n');

    const found = (await cruise(root, LAYERS.filter((l) => l !== 'config' && l !== 'actors' && l !== 'backtest')))
      .map((v) => `${v.rule.name}: ${v.from} -> ${v.to.replace(/^.*node_modules\/xstate\/.*$/, 'xstate')}`)
      .sort();
    expect(found).toEqual(
      [
        'adapters-no-xstate: adapters/driver.ts -> xstate',
        'adapters: adapters/driver.ts -> machines/pure.ts',
        'core: core/clock.ts -> machines/pure.ts',
        'nothing-imports-cli: session/session.ts -> cli/main.ts',
        'operator:session: operator/control.ts -> session/session.ts',
        'pure-layers-do-no-io: strategy/feature.ts -> fs',
      ].sort(),
    );
  }, 60_000);
});
