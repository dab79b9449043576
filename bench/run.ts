/**
 * `npm run bench [engine|maple|matrix|memory]`: the engine, the maple tree and the race
 * matrix, as medians on this machine, and the memory of a long DPOR run, next to the reference
 * figures the issues name. Reports; never gates.
 */
import { benchEngine } from './engine.ts';
import { benchMaple } from './maple.ts';
import { benchMatrix } from './matrix.ts';
import { benchMemory } from './memory.ts';
import { machine } from './stats.ts';

const only = process.argv.slice(2);
const want = (name: string): boolean => only.length === 0 || only.includes(name);

process.stdout.write(`# mmlife benchmarks\n\nmachine: ${machine()}\n\n`);
if (want('engine')) process.stdout.write((await benchEngine()) + '\n\n');
if (want('maple')) process.stdout.write((await benchMaple()) + '\n\n');
if (want('matrix')) process.stdout.write((await benchMatrix()) + '\n\n');
if (want('memory')) process.stdout.write(benchMemory() + '\n'); // about 12 minutes on 2 cores
