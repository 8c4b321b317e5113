#!/usr/bin/env node
// Entry point for the `mia` command. It runs the bundle in dist/ (bin/bundle.js: the
// sources pre-compiled, one module per command group, built by `npm ci` through the
// `prepare` script, by `npm test` and by `npm run build`) while that bundle matches the
// sources; otherwise (missing, stale after an edit, or MIA_NO_BUNDLE=1) it registers tsx and
// runs the TypeScript sources as they are. Either way what runs is the current source, and
// nothing is written at start: concurrent commands never race over dist/.
let entry = null;
if (process.env.MIA_NO_BUNDLE !== '1') {
  const { bundleEntry, bundleIsFresh } = await import('./bundle.js');
  if (bundleIsFresh()) {
    entry = bundleEntry;
    // Where the bundle's own worker entry points are (adapters/files/barStream.ts reads it).
    globalThis[Symbol.for('mia.bundleDir')] = new URL('.', bundleEntry).href;
  }
}
if (entry === null) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = '../cli/main.ts';
}
const { main } = await import(entry);
process.exitCode = await main(process.argv);
