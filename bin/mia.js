#!/usr/bin/env node
// Entry point for the `mia` command. It runs the bundle in dist/ (bin/bundle.js: the
// sources pre-compiled, one module per command group) while that bundle matches the
// sources, rebuilding it first when it is missing or stale; when it cannot be built (or
// MIA_NO_BUNDLE=1), it registers tsx and runs the TypeScript sources as they are. Either
// way what runs is the current source: never stale output.
let entry = null;
if (process.env.MIA_NO_BUNDLE !== '1') {
  const { buildBundle, bundleEntry, bundleIsFresh } = await import('./bundle.js');
  if (!bundleIsFresh()) await buildBundle().catch(() => null);
  if (bundleIsFresh()) entry = bundleEntry;
}
if (entry === null) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = '../cli/main.ts';
}
const { main } = await import(entry);
process.exitCode = await main(process.argv);
