import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Forks keep child-process tests isolated. Two at once: vitest's default (cores - 1) runs
    // one file at a time on this 2-core machine, while most files wait on sockets and children.
    pool: 'forks',
    maxWorkers: 2,
  },
});
