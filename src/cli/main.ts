#!/usr/bin/env node
/**
 * The `mmlife` command. Commands live in their own modules; this file only declares them.
 * Exit status (exit.ts): 0 a complete search found nothing / success, 1 a violation (or a matrix
 * cell not as expected), 2 bad input (one line naming the problem, no stack trace), 3 the search
 * was cut short (Ctrl-C, --time-budget, --max-executions) and found nothing.
 */
import { Command, CommanderError, Option } from 'commander';
// Each command's module (and what it pulls in: the scenarios, zod, the viewer server) loads only
// when that command runs, so `--help` and `--version` start at once.
import type { CheckFlags } from './check.ts';
import { printable, UsageError } from './errors.ts';
import { EXIT } from './exit.ts';
import type { MatrixFlags } from './matrix.ts';
import { STRATEGIES } from './options.ts';
import type { ReplayFlags } from './replay.ts';
import type { WeighFlags } from './weigh.ts';
import { packageVersion } from './version.ts';

/**
 * Standard output gone (`| head`: EPIPE) or full (`> /dev/full`: ENOSPC): one line on stderr
 * for a full disk, silence for a closed pipe, and never a stack trace; the exit status is kept.
 */
let stdoutFailed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (stdoutFailed) return;
  stdoutFailed = true;
  if (e.code !== 'EPIPE') {
    process.stderr.write(`mmlife: cannot write to standard output: ${e.code ?? e.message}\n`);
    process.exitCode = EXIT.USAGE;
  }
});

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The "Examples:" block at the end of a command's --help. */
function examples(...lines: string[]): string {
  return '\nExamples:\n' + lines.map((l) => `  $ ${l}`).join('\n');
}

function withRunOptions(cmd: Command): Command {
  return cmd
    .option('-p, --param <NAME=VALUE>', 'scenario parameter, repeatable (e.g. --param N=10)', collect, [] as string[])
    .option('-k, --kernel <preset>', 'kernel preset (default v7.0 for kernel scenarios; see mmlife list)')
    .option('--patch <switches>', 'flip behaviour switches of the preset, e.g. +uprobeSemInDupMm,-xaZeroMarker')
    .addOption(new Option('-s, --strategy <name>', 'exploration strategy').choices(STRATEGIES))
    .option('--max-executions <n>', 'stop after n executions')
    .option('--max-steps <n>', 'per-execution step bound (liveness check)')
    .option('--time-budget <seconds>', 'stop after this much wall time')
    .option('--preemption-bound <n>', 'at most n preemptions per execution (implies --strategy bounded)')
    .option('--seed <n>', 'seed for random and pct')
    .option('--pct-depth <d>', 'PCT bug depth (implies --strategy pct)')
    .option('-f, --faults <n>', 'injected failures per execution (default 1)')
    .option('--fault-sites <list>', 'only these fault sites may fail (comma-separated; see mmlife list)');
}

const program = new Command()
  .name('mmlife')
  .description(
    'Explore races in a model of the Linux mm_struct life cycle.\n' +
      'Exit status: 0 no violation in a complete search, 1 violation found (or matrix mismatch),\n' +
      '2 bad input, 3 cut short (Ctrl-C, --time-budget, --max-executions) with nothing found.',
  )
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .showSuggestionAfterError(true)
  .exitOverride()
  .configureOutput({
    // One line, control characters escaped: the message may echo what the user typed.
    outputError: (str, write) =>
      write(printable(str.replace(/^error: /, 'mmlife: ').trimEnd().replace(/\n\(Did you mean/g, ' (did you mean')) + '\n'),
  });

program
  .command('list')
  .description('list scenarios, kernel presets, behaviour switches and fault sites')
  .option('--json', 'print one JSON object')
  .addHelpText('after', examples('mmlife list', "mmlife list --json | jq '.presets[] | .name'"))
  .action(async (opts: { json?: boolean }) => (await import('./list.ts')).listCommand(opts));

withRunOptions(
  program
    .command('check')
    .description('explore a scenario; print the verdict, counts and, for a violation, the per-CPU table')
    .argument('<scenario>', 'scenario id or name (mmlife list)'),
)
  .option('--json', 'print one JSON object')
  .option('-o, --out <file>', 'write the counterexample as a trace file (for replay and view)')
  .option('--full', 'show every step in the per-CPU table (default: the race as kernel developers draw it)')
  .option('--width <n>', 'table width in columns (default 75, 0: unlimited)')
  .option('--cpus <list>', 'only these CPU columns, e.g. 1,2')
  .option('--around <n>', 'only the steps within n steps of the violation')
  .option('--progress', 'a progress line every 5 s on stderr, also when it is not a terminal')
  .addHelpText('after', examples(
    'mmlife check R5 --kernel v6.12                  # the race: exit 1 and its per-CPU table',
    'mmlife check R5 --kernel v6.13 --json           # fixed: exit 0, one JSON object',
    'mmlife check soup --time-budget 60 --progress   # cut short: exit 3, verdict incomplete',
  ))
  .action(async (scenario: string, opts: CheckFlags) => {
    process.exitCode = await (await import('./check.ts')).checkCommand(scenario, opts);
  });

withRunOptions(
  program
    .command('replay')
    .description('re-run one execution from a trace file, or a scenario with --schedule, and print it')
    .argument('<target>', 'trace.json, or a scenario id/name with --schedule'),
)
  .option('--schedule <s>', 'the schedule string to replay')
  .option('--full', 'show every step in the per-CPU table (default: the race as kernel developers draw it)')
  .option('--width <n>', 'table width in columns (default 75, 0: unlimited)')
  .option('--cpus <list>', 'only these CPU columns, e.g. 1,2')
  .option('--around <n>', 'only the steps within n steps of the violation')
  .option('--json', 'print one JSON object')
  .addHelpText('after', examples(
    'mmlife check classic/abba --out abba.json && mmlife replay abba.json',
    "mmlife replay classic/abba --schedule 'v1:0*2.1.2'",
  ))
  .action(async (target: string, opts: ReplayFlags) => {
    process.exitCode = (await import('./replay.ts')).replayCommand(target, opts);
  });

program
  .command('matrix')
  .description('every race scenario under the releases it names, before and after its fix, against the expected verdicts')
  .option('--only <ids>', 'only these scenarios (comma-separated ids or names)')
  .option('--json', 'print one JSON object')
  .option('--progress', 'a progress line every 5 s on stderr, also when it is not a terminal')
  .addHelpText('after', examples(
    'mmlife matrix                 # every cell; exit 0 when all are as expected',
    'mmlife matrix --only R5,R10   # two rows',
    'mmlife matrix --json | jq \'.cells[] | select(.status != "as-expected")\'',
  ))
  .action(async (opts: MatrixFlags) => {
    process.exitCode = await (await import('./matrix.ts')).matrixCommand(opts);
  });

withRunOptions(
  program
    .command('weigh')
    .description('one scenario under several presets (default v7.0 and every proposal), every execution explored: verdicts and metrics side by side')
    .argument('<scenario>', 'scenario id or name (mmlife list)'),
)
  .option('--json', 'print one JSON object')
  .option('--progress', 'a progress line every 5 s on stderr, also when it is not a terminal')
  .addHelpText('after', examples(
    'mmlife weigh R10                               # v7.0 and the four proposals',
    'mmlife weigh R11 --kernel v7.0,v7.0+exit-write-lock --json',
  ))
  .action(async (scenario: string, opts: WeighFlags) => {
    process.exitCode = await (await import('./weigh.ts')).weighCommand(scenario, opts);
  });

program
  .command('maple')
  .description('run a maple-tree command script (format: test/data/maple-oracle/README.md); one output line per command')
  .argument('<script>', 'script file')
  .addHelpText('after', examples('mmlife maple test/data/maple-oracle/02.script | diff - test/data/maple-oracle/02.expected'))
  .action(async (script: string) => (await import('./maple.ts')).mapleCommand(script));

program
  .command('view')
  .description('serve the trace viewer on 127.0.0.1 (optionally with a trace file from check --out)')
  .argument('[trace]', 'trace file to open')
  .option('--port <n>', 'port (default: a free one)')
  .addHelpText('after', examples('mmlife view', 'mmlife check R5 --kernel v6.12 --out r5.json; mmlife view r5.json'))
  .action(async (trace: string | undefined, opts: { port?: string }) => {
    await (await import('./view-command.ts')).viewCommand(trace, opts);
  });

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else if (e instanceof UsageError) {
    process.stderr.write(`mmlife: ${printable(e.message)}\n`);
    process.exitCode = EXIT.USAGE;
  } else {
    throw e;
  }
}
