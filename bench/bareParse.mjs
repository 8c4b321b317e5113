// The baseline of issue 16: the least a CSV reader does, in its own Node process: read the
// file, decode it, split it into lines and fields, parse the stamp and the five numbers.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2]).toString('utf8');
let rows = 0;
let sum = 0;
for (const line of text.split('\n')) {
  const f = line.split(',');
  if (f.length < 6) continue;
  const t = Date.parse(f[0]);
  if (Number.isNaN(t)) continue; // the header
  sum += Number(f[1]) + Number(f[2]) + Number(f[3]) + Number(f[4]) + Number(f[5]) + t / 1e12;
  rows++;
}
process.stdout.write(`${rows} rows (checksum ${sum.toFixed(0)})\n`);
