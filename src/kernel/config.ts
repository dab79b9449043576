/**
 * Kernel versions as behaviour switches (kernel-spec.md section 13).
 *
 * A KernelConfig is a preset (the release it started from) plus one boolean per behaviour
 * change. A user starts from a preset and flips single switches:
 * kernelConfig('v6.13', '+failedForkFlags').
 *
 * One place declares everything: SWITCHES holds each switch's commit, the release range that
 * has it and its effect; RELEASES and PROPOSALS name the presets. Which switches a preset has,
 * the switch list, `mmlife list` and `--patch` all derive from these declarations, so a new
 * switch needs only its entry in SWITCHES (docs/modelling-a-patch.md).
 *
 * The outside-actor switches (reaper*, mrelease*, numa*, swapoff*, uprobe*) are read by
 * mm/oom_kill.ts, kernel/events/uprobes.ts, mm/swapfile.ts, kernel/sched/fair.ts.
 */

/** The declaration of one behaviour switch. */
export interface SwitchDecl {
  /** Commit or series that made the change. */
  readonly commit: string;
  /**
   * First release that has it ('v6.13', 'v5.15-rc8'; '-rc' alone means the first rc), or the
   * name of the proposal preset (PROPOSALS) that introduces it.
   */
  readonly from: string;
  /** First release that no longer has it (removed or replaced), if any. */
  readonly until?: string;
  /** What turning it on changes in the model. */
  readonly effect: string;
  /** Switches of the base release that a proposal introducing this one turns off. */
  readonly replaces?: readonly string[];
}

/** Every behaviour switch (kernel-spec.md section 13), oldest first. */
const SWITCHES = {
  signalOomMm: {
    commit: '26db62f179d1 "oom: keep mm of the killed task available"',
    from: 'v4.9',
    effect: 'mark_oom_victim() stores signal->oom_mm with an mmgrab(); selection uses tsk_is_oom_victim() + MMF_OOM_SKIP',
  },
  reaperPinsUsers: {
    commit: 'pre-212925802454',
    from: 'v4.6', until: 'v4.14',
    effect: 'the OOM reaper pins mm_users with mmget_not_zero() and drops it with mmput_async()',
  },
  mmputSetsOomSkip: {
    commit: 'pre-212925802454 (Andrea Arcangeli removed it with the exit_mmap() barrier)',
    from: 'v4.9', until: 'v4.14',
    effect: '__mmput() ends with set_bit(MMF_OOM_SKIP) before mmdrop(): a torn-down mm is skipped by the OOM killer',
  },
  reaperHoldsOomLock: {
    commit: 'pre-af5679fbc669',
    from: 'v4.6', until: 'v4.19',
    effect: 'the OOM reaper holds oom_lock for the whole reap',
  },
  exitMmapSkipThenBarrier: {
    commit: '212925802454 (Andrea Arcangeli)',
    from: 'v4.14', until: 'v6.1',
    effect: 'exit_mmap() of an OOM victim sets MMF_OOM_SKIP after unmapping, then an empty mmap write lock/unlock as a barrier',
  },
  mmIsOomVictim: {
    commit: '4837fe37adff "mm, oom_reaper: fix memory corruption" (Michal Hocko; v4.15, 4.14-stable)',
    from: 'v4.15', until: 'v6.1',
    effect: 'mark_oom_victim() sets MMF_OOM_VICTIM on the mm; exit_mmap() keys its reaper barrier on mm_is_oom_victim(mm), not on current',
  },
  exitMmapReapsVictim: {
    commit: '27ae357fa82b (David Rientjes)',
    from: 'v4.17', until: 'v6.1',
    effect: 'exit_mmap() of an MMF_OOM_VICTIM mm reaps it itself before munlock, then SKIP + barrier',
  },
  reapQueuedFlag: {
    commit: '"oom, oom_reaper: do not enqueue same task twice" (Tetsuo Handa)',
    from: 'v5.1',
    effect: 'queue_oom_reaper() test-and-sets MMF_OOM_REAP_QUEUED',
  },
  processMrelease: {
    commit: '884a7e5964e0',
    from: 'v5.15-rc1',
    effect: 'the process_mrelease() system call exists (mmgrab only)',
  },
  mreleasePinsUsers: {
    commit: '337546e83fc7',
    from: 'v5.15-rc8', until: 'v5.16',
    effect: 'process_mrelease() pins mm_users with mmget_not_zero() under task_lock and mmput()s at the end',
  },
  exitMmapWriteLocked: {
    commit: '64591e8605d6 (Suren Baghdasaryan)',
    from: 'v5.17-rc1', until: 'v6.1',
    effect: 'exit_mmap() holds mmap_write_lock over munlock, unmap, free_pgtables and VMA freeing',
  },
  mreleaseMmgrab: {
    commit: 'ba535c1caf3e',
    from: 'v5.17-rc1',
    effect: 'process_mrelease() back to mmgrab() and an MMF_OOM_SKIP recheck under the read lock',
  },
  exitMmapClearsList: {
    commit: '"mm: fix use-after-free bug when mm->mmap is reused after being freed" (Suren)',
    from: 'v5.17',
    effect: 'exit_mmap() empties the VMA tree (mm->mmap = NULL; __mt_destroy since v6.1) before unlocking',
  },
  reaperDelay2s: {
    commit: '"mm: delay the OOM reaper to allow time for proper futex cleanup" (Nico Pache, Joel Savitz)',
    from: 'v5.18',
    effect: 'queue_oom_reaper() arms a timer of OOM_REAPER_DELAY = 2*HZ',
  },
  reaperSkipsLocked: {
    commit: 'pre Hugh Dickins mlock rework ("allow oomreap") [unverified]',
    from: 'v4.6', until: 'v5.18',
    effect: '__oom_reap_task_mm() skips VM_LOCKED VMAs',
  },
  exitMmapReadThenWrite: {
    commit: 'bf3980c85212 + b3541d912a84',
    from: 'v6.1',
    effect: 'exit_mmap() unmaps under the read lock, sets MMF_OOM_SKIP, then takes the write lock to free page tables and VMAs; MMF_OOM_VICTIM removed',
  },
  skipAlways: {
    commit: 'bf3980c85212',
    from: 'v6.1',
    effect: 'exit_mmap() sets MMF_OOM_SKIP for every mm, not only OOM victims',
  },
  numaDoWhileBug: {
    commit: '214dbc428137 (introduced), 9c70b2a33cd2 (fixed in v6.12-rc6)',
    from: 'v6.2', until: 'v6.12-rc6',
    effect: 'task_numa_work() runs its do-while body once with vma == NULL on an empty tree',
  },
  forkMtDup: {
    commit: 'd24062914837 (Peng Zhang)',
    from: 'v6.8',
    effect: 'dup_mmap() copies the whole tree with __mt_dup() and replaces entries one by one',
  },
  xaZeroMarker: {
    commit: 'd24062914837',
    from: 'v6.8', until: 'v7.0',
    effect: 'a failed dup_mmap() stores XA_ZERO_ENTRY over the failed VMA; exit_mmap() stops there',
  },
  ksmKhugepagedOnSuccessOnly: {
    commit: '985da552a98e (CVE-2024-50263)',
    from: 'v6.12-rc6',
    effect: 'ksm_fork()/khugepaged_fork() run after the VMA loop and only on success',
  },
  uffdFailNoEvent: {
    commit: 'f64e67e5d3a4',
    from: 'v6.12-rc6',
    effect: 'a failed dup_mmap() drops queued userfaultfd fork events (dup_userfaultfd_fail)',
  },
  uprobeSemInDupMm: {
    commit: '8ac662f5da19 (Lorenzo Stoakes)',
    from: 'v6.13',
    effect: 'the dup_mmap_sem read section is in dup_mm() and held across the failure mmput()',
  },
  failedForkFlags: {
    commit: '64c37e134b12 (Liam Howlett)',
    from: 'v6.14',
    effect: 'a failed dup_mmap() sets MMF_OOM_SKIP (if it stored a marker) and MMF_UNSTABLE before unlocking',
  },
  uprobeChecksUnstable: {
    commit: '64c37e134b12',
    from: 'v6.14',
    effect: 'register_for_each_vma() skips mms with MMF_UNSTABLE',
  },
  reaperReverse: {
    commit: 'zhongjinji v9 "The OOM reaper traverses the VMA maple tree in reverse order"',
    from: 'v6.18',
    effect: '__oom_reap_task_mm() walks VMAs from the top',
  },
  thawWholeProcess: {
    commit: 'zhongjinji v9 "Thaw the entire OOM victim process"',
    from: 'v6.18',
    effect: 'mark_oom_victim() thaws every thread of the victim',
  },
  swapoffChecksUnstable: {
    commit: '1367da7eb875 (Charan Teja Kalla)',
    from: 'v6.18',
    effect: 'unuse_mm() skips mms with MMF_UNSTABLE',
  },
  forkFailTearDown: {
    commit: '43873af772f8 "mm: change dup_mmap() recovery" (Liam Howlett)',
    from: 'v7.0',
    effect: 'a failed dup_mmap() tears down its partial VMAs and destroys the tree, sets MMF_OOM_SKIP + MMF_UNSTABLE',
  },
  anonVmaTwoPhaseClone: {
    commit: 'Lorenzo Stoakes anon_vma series v3 ("eliminate partial anon_vma tear-down in anon_vma_fork()")',
    from: 'v7.0',
    effect: 'anon_vma_fork() preallocates; anon_vma_clone() allocates every AVC before linking any',
  },
  forkLinksFileLate: {
    commit: '35e351780fa9 "fork: defer linking file vma until vma is fully initialized" (Miaohe Lin)',
    from: 'v6.9',
    effect: 'dup_mmap() links the child VMA into i_mmap after the tree store (and vm_ops->open), not before',
  },
  forkKillableVmaLock: {
    commit: 'vma_start_write_killable() in dup_mmap(), replacing the per-VMA fatal_signal_pending() check',
    from: 'v6.19',
    effect: 'dup_mmap() write-locks each parent VMA killably: a fatal signal fails the fork with -EINTR',
  },
  mreleaseReapKill: {
    commit: 'PROCESS_MRELEASE_REAP_KILL v3 (Minchan Kim, mm-new)',
    from: 'v7.0+reap-kill',
    effect: 'process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL) kills every sharer and reaps in one call',
  },
  pidfdSignalExpedite: {
    commit: 'PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE (Minchan Kim, seeds/002, May 22 2026; no patch posted)',
    from: 'v7.0+expedite',
    effect: 'pidfd_send_signal(SIGKILL, EXPEDITE) kills every sharer of the mm and reaps it in the call, while a thread ' +
      'still has ->mm (find_lock_task_mm + mmgrab, then the killable read lock, as process_mrelease); ' +
      'assumed: SIGKILL only, else -EINVAL; a plain SIGKILL when no thread has ->mm',
  },
  taskExitMm: {
    commit: '"keep task\'s mm around in separate exit_mm field post-exit" (Jann Horn 2020, Brauner repost 2026)',
    from: 'v7.0+exit-mm',
    effect: 'exit_mm() keeps current->exit_mm with an mmgrab(); dropped when the task is freed',
  },
  exitMmapWholeWriteLock: {
    commit: 'Linus Torvalds, May 16 2026',
    from: 'v7.0+exit-write-lock', replaces: ['exitMmapReadThenWrite'],
    effect: 'exit_mmap() takes mmap_write_lock for the whole teardown',
  },
  walkersUseMmCountOnly: {
    commit: 'Linus Torvalds, May 22 2026',
    from: 'v7.0+exit-write-lock',
    effect: '/proc walkers drop mmget_not_zero() and rely on mm_count + the read lock; -ESRCH when task->mm is NULL',
  },
} as const satisfies Record<string, SwitchDecl>;

/** The name of one behaviour switch. */
export type SwitchName = keyof typeof SWITCHES;

/** Every switch name, in declaration order. */
export const switchNames = Object.keys(SWITCHES) as readonly SwitchName[];

/** The releases that are presets, oldest first (a switch is on where its range covers it). */
const RELEASES = [
  'v4.13', 'v4.14', 'v4.15', 'v4.17', 'v5.15-rc1', 'v5.15', 'v5.17-rc', 'v5.17', 'v6.1', 'v6.2', 'v6.8',
  'v6.11', 'v6.12', 'v6.13', 'v6.14', 'v6.17', 'v6.18', 'v6.19', 'v7.0',
] as const;

/** Proposals under discussion: a release plus the switches whose `from` names the proposal. */
const PROPOSALS: readonly { readonly name: string; readonly base: (typeof RELEASES)[number] }[] = [
  { name: 'v7.0+reap-kill', base: 'v7.0' },
  { name: 'v7.0+expedite', base: 'v7.0' },
  { name: 'v7.0+exit-mm', base: 'v7.0' },
  { name: 'v7.0+exit-write-lock', base: 'v7.0' },
];

export type Switches = Readonly<Record<SwitchName, boolean>>;

/** Kernel configuration: the preset it started from and every switch by name. */
export interface KernelConfig {
  /** The preset this config started from (e.g. 'v6.12', 'v7.0+reap-kill'); a patch is appended. */
  readonly preset: string;
  /** Every behaviour switch by name. */
  readonly switches: Switches;
}

export interface SwitchDoc {
  /** Commit or series that made the change. */
  readonly commit: string;
  /** Release (or status) that first had it, and where it went away. */
  readonly release: string;
  /** What turning it on changes in the model. */
  readonly effect: string;
}

const isProposal = (name: string): boolean => PROPOSALS.some((p) => p.name === name);

/** A release name as [major, minor, rc] (a final release sorts after its rcs). */
function releaseKey(name: string): readonly [number, number, number] {
  const m = /^v(\d+)\.(\d+)(?:-rc(\d*))?$/.exec(name);
  if (!m) throw new Error(`config.ts: '${name}' is not a release name (vX.Y or vX.Y-rcN)`);
  const rc = m[3] === undefined ? Infinity : m[3] === '' ? 1 : Number(m[3]);
  return [Number(m[1]), Number(m[2]), rc];
}

function releaseBefore(a: string, b: string): boolean {
  const x = releaseKey(a);
  const y = releaseKey(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}

/** Whether release @r has switch @d. */
function onInRelease(d: SwitchDecl, r: string): boolean {
  if (isProposal(d.from)) return false;
  return !releaseBefore(r, d.from) && (d.until === undefined || releaseBefore(r, d.until));
}

/** The switches a preset turns on, from the declarations. */
function presetSwitches(name: string): Set<SwitchName> | undefined {
  if ((RELEASES as readonly string[]).includes(name))
    return new Set(switchNames.filter((s) => onInRelease(SWITCHES[s], name)));
  const prop = PROPOSALS.find((p) => p.name === name);
  if (!prop) return undefined;
  const on = presetSwitches(prop.base)!;
  for (const s of switchNames) {
    const d: SwitchDecl = SWITCHES[s];
    if (d.from !== name) continue;
    on.add(s);
    for (const r of d.replaces ?? []) on.delete(r as SwitchName);
  }
  return on;
}

/** One line of documentation per switch: commit, release, effect. */
export const switchDocs: Readonly<Record<SwitchName, SwitchDoc>> = Object.fromEntries(
  switchNames.map((s) => {
    const d: SwitchDecl = SWITCHES[s];
    const release = isProposal(d.from)
      ? `proposed 2026 (${d.from})`
      : d.until ? `${d.from} (gone in ${d.until})` : d.from;
    return [s, { commit: d.commit, release, effect: d.effect }];
  }),
) as Record<SwitchName, SwitchDoc>;

/** Preset names, oldest first; the proposals last. */
export const presets: readonly string[] = [...RELEASES, ...PROPOSALS.map((p) => p.name)];

/** A preset is a release or a 2026 proposal on top of one. */
export function presetKind(preset: string): 'release' | 'proposal' {
  return isProposal(preset) ? 'proposal' : 'release';
}

/** The default preset (current mainline). */
export const DEFAULT_PRESET = 'v7.0';

/** The switches each preset turns on, by name (for `mmlife list`). */
export function presetSwitchNames(preset: string): readonly SwitchName[] {
  const on = presetSwitches(preset);
  if (!on) throw new Error(`unknown kernel preset '${preset}'; valid presets: ${presets.join(', ')}`);
  return switchNames.filter((s) => on.has(s));
}

function isSwitch(s: string): s is SwitchName {
  return Object.hasOwn(SWITCHES, s);
}

/** A declaration mistake is a developer error: refuse it when the module loads. */
function checkDeclarations(): void {
  for (let i = 1; i < RELEASES.length; i++)
    if (!releaseBefore(RELEASES[i - 1]!, RELEASES[i]!)) throw new Error(`config.ts: RELEASES out of order at ${RELEASES[i]}`);
  for (const s of switchNames) {
    const d: SwitchDecl = SWITCHES[s];
    if (!isProposal(d.from)) releaseKey(d.from);
    if (d.until !== undefined && (isProposal(d.from) || !releaseBefore(d.from, d.until)))
      throw new Error(`config.ts: switch ${s} has an empty range ${d.from} .. ${d.until}`);
    for (const r of d.replaces ?? []) if (!isSwitch(r)) throw new Error(`config.ts: switch ${s} replaces unknown switch ${r}`);
  }
}
checkDeclarations();

/**
 * Combinations the model cannot run: each returns a message, or undefined if fine.
 * The rules follow from the code paths: a recovery strategy must match the tree copy, and at
 * most one exit_mmap() locking variant from v5.17 on may be chosen.
 */
function checkCombination(sw: Switches): string | undefined {
  if (sw.xaZeroMarker && !sw.forkMtDup) return 'xaZeroMarker needs forkMtDup (the marker only exists after __mt_dup)';
  if (sw.forkFailTearDown && !sw.forkMtDup) return 'forkFailTearDown needs forkMtDup (it replaces the XA_ZERO recovery of __mt_dup)';
  if (sw.forkFailTearDown && sw.xaZeroMarker) return 'forkFailTearDown cannot combine with xaZeroMarker (two failure recoveries); add -xaZeroMarker';
  if (sw.forkMtDup && !sw.xaZeroMarker && !sw.forkFailTearDown)
    return 'forkMtDup needs a failure recovery: +xaZeroMarker or +forkFailTearDown';
  if (sw.mreleasePinsUsers && sw.mreleaseMmgrab) return 'mreleasePinsUsers and mreleaseMmgrab exclude each other';
  for (const s of ['mreleasePinsUsers', 'mreleaseMmgrab', 'mreleaseReapKill'] as const)
    if (sw[s] && !sw.processMrelease) return `${s} needs processMrelease`;
  const lockVariants = (['exitMmapWriteLocked', 'exitMmapReadThenWrite', 'exitMmapWholeWriteLock'] as const).filter((s) => sw[s]);
  if (lockVariants.length > 1)
    return `exit_mmap locking variants exclude each other: ${lockVariants.join(', ')}; turn all but one off (e.g. -${lockVariants[0]})`;
  if (sw.reaperPinsUsers && sw.exitMmapSkipThenBarrier)
    return 'reaperPinsUsers (<= v4.13) cannot combine with exitMmapSkipThenBarrier (v4.14 removed the pin)';
  return undefined;
}

/**
 * kernelConfig() - the configuration of a preset, optionally patched.
 * @preset: a name from `presets`.
 * @patch: comma-separated switch flips, e.g. '+failedForkFlags,-xaZeroMarker'.
 * Throws an Error naming the problem (unknown preset or switch, malformed patch, or a
 * combination the model cannot run) and listing the valid names.
 */
export function kernelConfig(preset: string = DEFAULT_PRESET, patch?: string): KernelConfig {
  const on = new Set(presetSwitchNames(preset));
  const sw = {} as Record<SwitchName, boolean>;
  for (const s of switchNames) sw[s] = on.has(s);
  const flips: string[] = [];
  for (const raw of (patch ?? '').split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const sign = item[0];
    const name = item.slice(1);
    if (sign !== '+' && sign !== '-')
      throw new Error(`malformed kernel patch item '${item}': write +switch or -switch`);
    if (!isSwitch(name)) throw new Error(`unknown kernel switch '${name}'; valid switches: ${switchNames.join(', ')}`);
    sw[name] = sign === '+';
    flips.push(item);
  }
  const bad = checkCombination(sw);
  if (bad) throw new Error(`kernel config ${preset}${flips.length ? ` ${flips.join(',')}` : ''} refused: ${bad}`);
  return { preset: flips.length ? `${preset} ${flips.join(',')}` : preset, switches: sw };
}
