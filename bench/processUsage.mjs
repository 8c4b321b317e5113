// Preloaded (`node --import`) into a benchmarked child process: at exit it writes the
// process's own peak RSS and CPU time to the file named by MIA_BENCH_USAGE (JSON).
import { writeFileSync } from 'node:fs';

const out = process.env.MIA_BENCH_USAGE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKb: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime }));
  });
}
