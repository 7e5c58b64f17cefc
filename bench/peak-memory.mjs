// Loaded with `node --import` by the benchmark: writes the process's peak resident memory (KiB) to
// the file named by MANIFOLD_BENCH_PEAK when the process exits.
import { writeFileSync } from 'node:fs';

const { MANIFOLD_BENCH_PEAK: file } = process.env;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
