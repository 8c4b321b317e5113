// Builds dist/: the `mia` command as one ES module per lazily loaded command group (esbuild,
// code splitting), so that a start loads a few pre-compiled files instead of compiling a
// few hundred TypeScript files through tsx (issue 16: `mia status` 356 ms -> < 150 ms).
// dist/manifest.json lists every source file bundled (a package: its package.json) with its size and mtime: bin/mia.js
// runs the bundle only while all of them are unchanged, else the sources through tsx.
// Paths built from `import.meta.url` (worker entry points, package.json) keep pointing at
// the source files: workers still start from TypeScript, as before.
// Run: `npm run build` (also done by bin/mia.js when the bundle is missing or stale).
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** esbuild is tsx's own compiler: resolved through tsx, which is a dependency of ours. */
function esbuild() {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('tsx'))('esbuild');
}

/**
 * A value import of zod's `z` by name. Our sources write `import * as z from 'zod'`: the same
 * functions (zod's index re-exports its namespace both ways), but esbuild shakes a namespace
 * import down to what is used, while the re-exported `z` object drags in all of zod (its 70
 * locales, JSON schema conversion...): 756 KB instead of about 200 KB to compile at every start.
 */
const ZOD_NAMED_Z = /^import \{[^}]*\bz\b[^}]*\} from ['"]zod['"]/m;

export async function buildBundle() {
  const tmp = `${dist}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  // `import.meta.url` in our sources is rebased to the source file's URL (the chunk lives in
  // dist/), for the bundle only; a named import of zod's `z` is reported (ZOD_NAMED_Z).
  const unshaken = [];
  const sourceRewrites = {
    name: 'source-rewrites',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
        let text = readFileSync(args.path, 'utf8');
        const original = text;
        if (text.includes('import.meta.url')) {
          const rel = relative(dist, args.path).split('\\').join('/');
          text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
        }
        if (ZOD_NAMED_Z.test(text)) unshaken.push(relative(root, args.path));
        return text === original ? undefined : { contents: text, loader: 'ts' };
      });
    },
  };
  // Packages stay in node_modules, except the ones every command loads that Node would
  // otherwise resolve file by file (zod: ~100 modules), load as CommonJS (xstate's `import`
  // build wraps its CJS one; commander is CommonJS only) or resolve through their package
  // exports at each start: compiled into the chunks, they cost a fraction of their load time
  // (`mia status`: commander bundled -13 ms CPU). commander's own `require('node:...')`
  // calls go through the `require` each chunk makes in its banner (esbuild's ESM output has none).
  const BUNDLED = new Set(['xstate', 'zod', 'commander']);
  const externals = {
    name: 'externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        return BUNDLED.has(name) ? undefined : { external: true };
      });
    },
  };
  const result = await esbuild().build({
    // The bar stream's worker (adapters/files/barStream.ts) starts compiled from dist/ too.
    entryPoints: { main: join(root, 'cli/main.ts'), barStreamWorker: join(root, 'adapters/files/barStreamWorker.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',

    outdir: tmp,
    banner: { js: "import { createRequire as __miaCreateRequire } from 'node:module'; const require = __miaCreateRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
    plugins: [externals, sourceRewrites],
  });
  // Our sources one by one; a bundled package by its package.json (npm rewrites it with
  // every install or version change): ~100 stats fewer at each start than zod's and
  // xstate's files one by one.
  if (unshaken.length > 0) process.stderr.write(`bundle: ${unshaken.join(', ')}: write \`import * as z from 'zod'\`: a named import of z brings all of zod (~750 KB instead of ~200) into every command that loads it\n`);
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const pkg = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(join(root, file));
    const abs = pkg ? join(pkg[1], 'package.json') : join(root, file);
    const st = statSync(abs);
    inputs[relative(root, abs)] = [st.size, st.mtimeMs];
  }
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ inputs }));
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dirname(dist), { recursive: true });
  renameSync(tmp, dist);
  return Object.keys(inputs).length;
}

/** True when dist/ holds a bundle of the current sources. */
export function bundleIsFresh() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(`${root}dist/manifest.json`, 'utf8'));
  } catch {
    return false;
  }
  // One stat per file at every start (~300): plain concatenation, no path.join, no throw.
  try {
    for (const [file, [size, mtimeMs]] of Object.entries(manifest.inputs)) {
      const st = statSync(root + file, { throwIfNoEntry: false });
      if (st === undefined || st.size !== size || st.mtimeMs !== mtimeMs) return false;
    }
  } catch {
    return false;
  }
  return true;
}

export const bundleEntry = pathToFileURL(join(dist, 'main.js')).href;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = await buildBundle();
  process.stdout.write(`dist/: ${n} source files bundled\n`);
}
