// The worker thread of barStream.ts when MIA runs from its TypeScript sources (tsx, vitest):
// a worker does not inherit the loader hooks of the thread that starts it, so it registers
// tsx itself before loading the worker module. The bundle (dist/) starts its own compiled
// barStreamWorker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./barStreamWorker.ts');
