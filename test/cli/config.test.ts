/** `mia --version` and `mia config init | show | validate | schema`, spawned as an operator runs them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMia } from '../fixtures/runMia.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';
import { loadConfig, validateConfigFile } from '../../config/load.ts';
import { phaseExampleFile, phaseExampleText, phaseIds } from '../../config/phaseExamples.ts';
import { configJsonSchema } from '../../cli/config.ts';

const tempDir = useTempHomes('mia-config-cli-');
const docs = new URL('../../docs/config/', import.meta.url);

describe('mia --version and mia config', () => {
  it('--version prints package.json version and exits 0', async () => {
    const r = await runMia(['--version'], {});
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('validate lists every issue of a file with three errors and exits 2', async () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ risk: { dailyLossLimit: -5 }, feed: { kind: 'carrier-pigeon' }, extra: true }));
    const r = await runMia(['config', 'validate', file], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('3 issues');
    for (const key of ['risk.dailyLossLimit', 'feed.kind', 'extra: unknown key']) expect(r.stderr).toContain(key);
    const json = await runMia(['config', 'validate', file, '--json'], {});
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { issues: Array<{ key: string }> }).issues.map((i) => i.key).sort()).toEqual(['extra', 'feed.kind', 'risk.dailyLossLimit']);
  });

  it('validate: a file that is not JSON or does not exist is one issue naming the file, exit 2; a good file exits 0', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.json'), '{ "risk": ');
    const broken = await runMia(['config', 'validate', join(dir, 'broken.json')], {});
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json: not valid JSON/);
    const missing = await runMia(['config', 'validate', join(dir, 'nope.json')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ risk: { dailyLossLimit: 800 } }));
    const good = await runMia(['config', 'validate', join(dir, 'good.json')], {});
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('valid');
  });

  it('init writes the phase example, refuses to overwrite without --force, and rejects a bad --phase in one line', async () => {
    const dir = tempDir();
    const out = join(dir, 'mia.json');
    const r = await runMia(['config', 'init', '--phase', '4', '--out', out], {});
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(phaseExampleText(4));
    expect(loadConfig({ file: out, env: {} }).risk.trailingDrawdownMode).toBe('eod');
    const again = await runMia(['config', 'init', '--out', out], {});
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    const bad = await runMia(['config', 'init', '--phase', '9', '--out', '-'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--phase must be one of 0, 1, 2, 3, 4, 5, 6');
  });

  it('show prints the effective configuration (file and MIA__ overrides), secrets only as set/unset', async () => {
    const dir = tempDir();
    const file = join(dir, 'mia.json');
    writeFileSync(file, JSON.stringify({ venue: { dtc: { passwordEnv: 'MY_DTC_PW' } } }));
    const r = await runMia(['config', 'show', '--config', file], { MIA__risk__dailyLossLimit: '777', MY_DTC_PW: 'hunter2-secret', POLYGON_API_KEY: 'pk-secret-value' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('hunter2-secret');
    expect(r.stdout).not.toContain('pk-secret-value');
    const shown = JSON.parse(r.stdout) as { risk: { dailyLossLimit: number }; venue: { dtc: { passwordEnv: string } }; environment: Record<string, string> };
    expect(shown.risk.dailyLossLimit).toBe(777);
    expect(shown.venue.dtc.passwordEnv).toBe('MY_DTC_PW');
    expect(shown.environment).toEqual({ POLYGON_API_KEY: 'set', DISCORD_TOKEN: 'unset', MY_DTC_PW: 'set' });
    const bad = await runMia(['config', 'show'], { MIA__risk__dailyLossLimit: '-1' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('risk.dailyLossLimit');
  });

  it('schema is a JSON Schema of the strict file format: unknown keys refused, defaults shown', async () => {
    const r = await runMia(['config', 'schema'], {});
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { additionalProperties: boolean; properties: Record<string, { properties?: Record<string, { default?: unknown }> }> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.risk!.properties!.dailyLossLimit!.default).toBe(1000);
    expect(JSON.parse(readFileSync(new URL('mia.schema.json', docs), 'utf8'))).toEqual(configJsonSchema());
  });

  it('docs/config holds one valid example per phase, the same as `mia config init --phase N`', () => {
    for (const id of phaseIds) {
      const file = new URL(phaseExampleFile(id), docs);
      expect(readFileSync(file, 'utf8'), phaseExampleFile(id)).toBe(phaseExampleText(id));
      expect(validateConfigFile(file.pathname), phaseExampleFile(id)).toEqual([]);
    }
  });
});
