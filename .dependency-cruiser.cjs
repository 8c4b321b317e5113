/**
 * MIA's layering, enforced by `npm test` (test/architecture/importRules.test.ts) and by
 * `npx depcruise --config .dependency-cruiser.cjs core config strategy machines adapters
 * actors operator session backtest cli`. ARCHITECTURE.md explains the layers; dependencies
 * point one way: cli -> session / backtest -> operator / actors -> machines / strategy /
 * adapters -> config -> core.
 */
const layer = (name, mayNotImport, comment, extra = {}) => ({
  name,
  severity: 'error',
  comment,
  from: { path: `^${name.split(':')[0]}/` },
  to: { path: `^(${mayNotImport.join('|')})/`, ...extra },
});

/** Node modules that do I/O: the pure layers (core, strategy, machines) never touch them. */
const IO_MODULES = '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|worker_threads|cluster|dgram|tls|readline|dns)$';

module.exports = {
  forbidden: [
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli/ is the thin outer shell: nothing but bin/ calls into it.',
      from: { pathNot: '^(cli|bin|test|bench)/' },
      to: { path: '^cli/' },
    },
    layer('core', ['config', 'strategy', 'machines', 'adapters', 'actors', 'operator', 'session', 'backtest'], 'core/ is the ground floor: it imports nothing of MIA above it.'),
    layer('config', ['strategy', 'machines', 'adapters', 'actors', 'operator', 'session', 'backtest'], 'config/ stands on core/ only.'),
    layer('strategy', ['machines', 'adapters', 'actors', 'operator', 'session', 'backtest'], 'strategy/ is pure math over core/ and config/ (the fill model lives in core/).'),
    layer('machines', ['adapters', 'actors', 'operator', 'session', 'backtest'], 'machines/ are pure statecharts: no I/O, no adapters.'),
    layer('adapters', ['machines', 'actors', 'operator', 'session', 'backtest'], 'adapters/ speak the venue seam in core/ and never import a statechart.'),
    {
      name: 'adapters-no-xstate',
      severity: 'error',
      comment: 'adapters/ are I/O drivers: the statecharts that drive them live in the actor tree.',
      from: { path: '^adapters/' },
      to: { path: '(^|/)node_modules/xstate/', dependencyTypesNot: ['type-only'] },
    },
    layer('actors', ['operator', 'session', 'backtest'], 'actors/ hold actor logic only; the composition root (session/) builds them.'),
    layer('operator', ['backtest'], 'operator/ connects the operator to a session.'),
    layer('operator:session', ['session'], 'operator/ may name the Session type, never call into the composition root.', { dependencyTypesNot: ['type-only'] }),
    layer('session', ['backtest'], 'session/ is the composition root; the backtest builds on it, not the reverse.'),
    {
      name: 'pure-layers-do-no-io',
      severity: 'error',
      comment: 'core/, strategy/ and machines/ do no I/O: files, sockets, processes and threads belong to adapters/.',
      from: { path: '^(core|strategy|machines)/' },
      to: { dependencyTypes: ['core'], path: IO_MODULES },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|logs)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
