/**
 * A starting configuration for each deployment phase (`mia config init --phase N`, and the
 * files under docs/config/ that a test keeps equal to them). Each sets only what the phase
 * changes from the embedded defaults, so the defaults stay the one place for everything else.
 * Secrets are never here: passwords and tokens come from the environment variables named.
 */
import type { MiaConfigInput } from './schema.ts';
import { phases, type PhaseId } from './gates.ts';

export interface PhaseExample {
  /** What the phase is for and what to edit before using the file. */
  summary: string;
  config: MiaConfigInput;
}

/** Sierra Chart's DTC server on the trading machine (its default port), password from the env. */
const sierraChart = { host: '127.0.0.1', port: 11_099, encoding: 'binary', username: 'mia', passwordEnv: 'MIA_DTC_PASSWORD', exchange: 'CME' } as const;

const examples: Record<PhaseId, PhaseExample> = {
  0: {
    summary: 'setup: Polygon live data (POLYGON_API_KEY) and Sierra Chart over DTC on this machine; prove the round trip with `mia dtc check`',
    config: {
      feed: { kind: 'polygon' },
      venue: { kind: 'dtc', dtc: { ...sierraChart, account: 'Sim1' } },
      accounts: [{ id: 'Sim1', kind: 'paper', description: "Sierra Chart's simulated trading account" }],
    },
  },
  1: {
    summary: 'calibration: replay a downloaded history (`mia data download`) in process and backtest it; edit feed.replayFile',
    config: { feed: { kind: 'replay', replayFile: 'data/es-minute.csv', speed: 'max' }, venue: { kind: 'simulated' } },
  },
  2: {
    summary: 'backtest: walk-forward on the history (`mia backtest --walk-forward`), 60 trading days in sample, 20 out of sample',
    config: {
      feed: { kind: 'replay', replayFile: 'data/es-minute.csv', speed: 'max' },
      venue: { kind: 'simulated' },
      backtest: { objective: 'sharpe', minTrades: 5, walkForward: { inSample: '60d', outOfSample: '20d', anchored: false } },
    },
  },
  3: {
    summary: 'simulation: three months of paper trading on Polygon live data through the embedded paper DTC server',
    config: { feed: { kind: 'polygon' }, venue: { kind: 'dtc', dtc: { host: null } } },
  },
  4: {
    summary: "propFirm: a prop firm's DTC gateway; edit the host, the account and risk.propFirm to the firm's rule profile (risk.* stay MIA's own limits, the stricter wins)",
    config: {
      feed: { kind: 'polygon' },
      venue: { kind: 'dtc', dtc: { ...sierraChart, host: 'dtc.propfirm.example', encoding: 'json', account: 'PROP-ACCOUNT', passwordEnv: 'MIA_PROP_PASSWORD' } },
      accounts: [{ id: 'PROP-ACCOUNT', kind: 'propFirm', description: "the prop firm's evaluation account" }],
      risk: {
        maxContracts: 2,
        dailyLossLimit: 1000,
        trailingDrawdown: 2000,
        trailingDrawdownMode: 'eod',
        propFirm: {
          profitTarget: 3000,
          dailyLossLimit: 1000,
          trailingDrawdown: 2000,
          trailingDrawdownMode: 'eod',
          trailingStopsAtStart: true,
          maxContracts: 5,
          consistencyMaxDayShare: 0.4,
          allowedHours: { start: '08:30', end: '15:10', timeZone: 'America/Chicago' },
          newsBlackouts: [{ from: '2026-01-09T13:25:00Z', to: '2026-01-09T13:45:00Z', label: 'NFP (replace with the firm\'s list)' }],
        },
      },
    },
  },
  5: {
    summary: 'ownAccount: your own account through Sierra Chart; edit the account, keep the limits tight at first; risk.live.scaling grows the position with the profit',
    config: {
      feed: { kind: 'polygon' },
      venue: { kind: 'dtc', dtc: { ...sierraChart, account: 'YOUR-ACCOUNT' } },
      accounts: [{ id: 'YOUR-ACCOUNT', kind: 'live', description: 'your own futures account (real money)' }],
      risk: {
        maxContracts: 3,
        maxOrderSize: 3,
        dailyLossLimit: 500,
        trailingDrawdown: 1500,
        live: {
          dailyLossLimit: 500,
          trailingDrawdown: 1500,
          trailingDrawdownMode: 'intraday',
          scaling: [
            { profitAbove: 0, maxContracts: 1 },
            { profitAbove: 2000, maxContracts: 2 },
            { profitAbove: 5000, maxContracts: 3 },
          ],
        },
      },
    },
  },
  6: {
    summary: 'signals: phase 5 plus Discord (DISCORD_TOKEN): replace the ids with your guild, users and channels',
    config: {
      feed: { kind: 'polygon' },
      venue: { kind: 'dtc', dtc: { ...sierraChart, account: 'YOUR-ACCOUNT' } },
      accounts: [{ id: 'YOUR-ACCOUNT', kind: 'live', description: 'your own futures account (real money)' }],
      risk: { maxContracts: 1, maxOrderSize: 1, dailyLossLimit: 500, trailingDrawdown: 1500 },
      discord: {
        guildId: '100000000000000001',
        allowedUserIds: ['100000000000000002'],
        allowedRoleIds: [],
        channels: { alerts: '100000000000000003', premium: '100000000000000004', public: '100000000000000005' },
        publicDelaySeconds: 900,
      },
    },
  },
};

export const phaseIds = phases.map((p) => p.id);

export function phaseExample(id: PhaseId): PhaseExample {
  return examples[id];
}

/** The file `mia config init --phase N` writes and docs/config/ holds: JSON, two-space indent. */
export function phaseExampleText(id: PhaseId): string {
  return `${JSON.stringify({ $schema: './mia.schema.json', ...examples[id].config }, null, 2)}\n`;
}

/** File name of a phase's example under docs/config/. */
export function phaseExampleFile(id: PhaseId): string {
  const phase = phases.find((p) => p.id === id)!;
  return `phase-${id}-${phase.name}.json`;
}
