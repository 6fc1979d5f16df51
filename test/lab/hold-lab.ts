/**
 * Run by lab.test.ts in a child process to test interrupted runs: builds a lab with a process
 * running inside it, prints the lab's prefix and the process's pid, and waits to be killed.
 * Bounded: it exits by itself (cleaning up) after 20 s.
 */
import { Lab } from './lab.js';

const LIFETIME_MS = 20_000;

const lab = new Lab();
await lab.start();
const sleeper = lab.spawn('sensor', 'sleep', ['30'], { maxSeconds: 30 });
process.stdout.write(`${lab.prefix} ${sleeper.pid}\n`);
setTimeout(() => process.exit(3), LIFETIME_MS);
