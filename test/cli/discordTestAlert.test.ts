/**
 * `mia discord test-alert` against the Discord stand-in (discord.js over loopback): the alert
 * reaches the alerts channel through the bot adapter and, with a home, is recorded as optional
 * setup evidence that leaves the setup gate's checklist as it was; a channel Discord does not
 * know is exit 1 with nothing recorded; a missing token or alerts channel is exit 2 naming it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { runDiscordTestAlert } from '../../cli/discordTestAlert.ts';
import { openEvidenceStore } from '../../adapters/store/evidenceStore.ts';
import { offlinePhaseCommand } from '../../cli/phaseOffline.ts';
import { loadConfig } from '../../config/load.ts';
import { ManualClock, systemClock } from '../../core/clock.ts';
import { DiscordStandIn } from '../fixtures/discordStandIn.ts';
import { useTempHomes } from '../fixtures/tempHome.ts';

const tempHome = useTempHomes('mia-discord-test-alert-');
const GUILD = '1300000000000000001';
const ALERTS = '1300000000000000011';
const TOKEN = 'stand-in-token-not-to-be-printed';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function standIn(): Promise<DiscordStandIn> {
  const s = await DiscordStandIn.start({ guildId: GUILD, channels: [ALERTS] });
  cleanups.push(() => s.close());
  return s;
}

function configFile(home: string, alerts: string | null): string {
  const file = join(home, 'discord.json');
  writeFileSync(file, JSON.stringify({ discord: { guildId: GUILD, channels: { alerts } } }));
  return file;
}

async function mia(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  const saved = process.exitCode;
  try {
    return { code: await main(['node', 'mia', ...args]), stdout, stderr };
  } finally {
    process.exitCode = saved;
    out.mockRestore();
    err.mockRestore();
  }
}

const posts = (s: DiscordStandIn, channel: string) => s.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);

describe('mia discord test-alert', () => {
  it('posts one test alert to the alerts channel and records it as setup evidence that asks nothing more of the gate', { timeout: 30_000 }, async () => {
    const discord = await standIn();
    const home = tempHome();
    const config = configFile(home, ALERTS);
    vi.stubEnv('DISCORD_TOKEN', TOKEN);
    vi.stubEnv('DISCORD_API_URL', discord.api);
    const r = await mia('discord', 'test-alert', '--home', home, '--config', config, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(TOKEN);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ ok: true, channel: ALERTS });
    const sent = posts(discord, ALERTS);
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body as { content: string }).content).toBe(result.text);
    expect(result.text).toContain('MIA test alert');
    expect(sent[0]!.authorization).toBe(`Bot ${TOKEN}`);

    const entries = openEvidenceStore(home).list().entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ file: result.evidence, transition: 'setup->calibration', producedBy: 'mia discord test-alert', evidence: { source: 'discord-test-alert', checks: {} } });
    // Optional evidence: the setup gate still asks for its four checks, none of which this states.
    const advance = await offlinePhaseCommand({ command: 'phase.advance', who: 'test' }, { home, config: loadConfig({ file: config }), clock: systemClock });
    expect(advance.ok).toBe(false);
    expect(advance.data).toMatchObject({ record: { kind: 'refused' } });
  });

  it('is exit 1 naming the channel when Discord does not know it, and records nothing', { timeout: 30_000 }, async () => {
    const discord = await standIn();
    const home = tempHome();
    const unknown = '1300000000000000099';
    const result = await runDiscordTestAlert({ home, config: configFile(home, unknown), timeout: 10_000 }, { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: discord.api }, new ManualClock(Date.UTC(2026, 0, 5)));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/Unknown Channel/);
    expect(posts(discord, unknown)).toEqual([]);
    expect(openEvidenceStore(home).list().entries).toEqual([]);

    vi.stubEnv('DISCORD_TOKEN', TOKEN);
    vi.stubEnv('DISCORD_API_URL', discord.api);
    const cli = await mia('discord', 'test-alert', '--home', home, '--config', configFile(home, unknown));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`channel ${unknown}`);
    expect(cli.stderr).not.toContain(TOKEN);
    expect(openEvidenceStore(home).list().entries).toEqual([]);
  });

  it('is exit 2 naming DISCORD_TOKEN or discord.channels.alerts when either is missing, before any connection', async () => {
    const home = tempHome();
    vi.stubEnv('DISCORD_TOKEN', '');
    const noToken = await mia('discord', 'test-alert', '--config', configFile(home, ALERTS));
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('DISCORD_TOKEN');
    vi.stubEnv('DISCORD_TOKEN', TOKEN);
    const noChannel = await mia('discord', 'test-alert', '--config', configFile(home, null));
    expect(noChannel.code).toBe(2);
    expect(noChannel.stderr).toContain('discord.channels.alerts');
    const badFlag = await mia('discord', 'test-alert', '--timeout', 'soon', '--config', configFile(home, ALERTS));
    expect(badFlag.code).toBe(2);
    expect(openEvidenceStore(home).list().entries).toEqual([]);
  });
});
