/**
 * Inside one worker thread of backtest/workerPool.ts (a piscina pool): registers tsx in
 * this thread, loads the task module once (the URL the pool passes as workerData), and
 * runs each payload through its `runTask`, answering { ok, value } or { ok: false, error }:
 * a task's own error is an answer, so that the pool can tell it from a dead worker.
 *
 * Plain CommonJS on purpose: piscina loads its handler with require() first, and a worker
 * does not inherit the loader hooks of the thread that starts it (neither bin/mia.js's tsx
 * registration nor vitest's transform), so this file must load without them, from the
 * sources (vitest, `node bin/mia.js` through tsx) as from the bundle in dist/ (whose
 * import.meta.url paths are rebased onto the source files).
 */
'use strict';
const { workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

let taskModule = null;

function load() {
  if (taskModule === null) {
    taskModule = (async () => {
      const { register } = await import(pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href);
      register();
      const mod = await import(workerData.task);
      if (typeof mod.runTask !== 'function') throw new Error(`${workerData.task} does not export runTask(payload)`);
      return mod.runTask;
    })();
  }
  return taskModule;
}

module.exports = async function runInWorker(payload) {
  try {
    // A module that cannot load fails every task the same way (never a hang).
    const runTask = await load();
    return { ok: true, value: await runTask(payload) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
};

// Load at thread start, not at the first task: a pool is ready when its first task comes.
load().catch(() => undefined);
