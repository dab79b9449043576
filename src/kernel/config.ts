/**
 * Kernel versions as behaviour switches (kernel-spec.md section 13).
 *
 * A KernelConfig is a preset (the release it started from) plus one boolean per behaviour
 * change. Presets set the switches as that release had them; the proposals start from v7.0.
 * A user starts from a preset and flips single switches: kernelConfig('v6.13', '+failedForkFlags').
 *
 * The outside-actor switches (reaper*, mrelease*, numa*, swapoff*, uprobe*) are read by
 * mm/oom_kill.ts, kernel/events/uprobes.ts, mm/swapfile.ts, kernel/sched/fair.ts.
 */

export const switchNames = [
  'signalOomMm',
  'reaperPinsUsers',
  'reaperHoldsOomLock',
  'exitMmapSkipThenBarrier',
  'exitMmapReapsVictim',
  'reapQueuedFlag',
  'processMrelease',
  'mreleasePinsUsers',
  'exitMmapWriteLocked',
  'mreleaseMmgrab',
  'exitMmapClearsList',
  'reaperDelay2s',
  'reaperSkipsLocked',
  'exitMmapReadThenWrite',
  'skipAlways',
  'numaDoWhileBug',
  'forkMtDup',
  'xaZeroMarker',
  'ksmKhugepagedOnSuccessOnly',
  'uffdFailNoEvent',
  'uprobeSemInDupMm',
  'failedForkFlags',
  'uprobeChecksUnstable',
  'reaperReverse',
  'thawWholeProcess',
  'swapoffChecksUnstable',
  'forkFailTearDown',
  'anonVmaTwoPhaseClone',
  'forkKillableVmaLock',
  'mreleaseReapKill',
  'taskExitMm',
  'exitMmapWholeWriteLock',
  'walkersUseMmCountOnly',
] as const;

/** The name of one behaviour switch. */
export type SwitchName = (typeof switchNames)[number];

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
  /** Release (or status) that first had it. */
  readonly release: string;
  /** What turning it on changes in the model. */
  readonly effect: string;
}

/** One line of documentation per switch: commit, release, effect (kernel-spec.md section 13). */
export const switchDocs: Readonly<Record<SwitchName, SwitchDoc>> = {
  signalOomMm: { commit: '26db62f179d1 "oom: keep mm of the killed task available"', release: 'v4.9', effect: 'mark_oom_victim() stores signal->oom_mm with an mmgrab(); selection uses tsk_is_oom_victim() + MMF_OOM_SKIP' },
  reaperPinsUsers: { commit: 'pre-212925802454', release: '<= v4.13', effect: 'the OOM reaper pins mm_users with mmget_not_zero() and drops it with mmput_async()' },
  reaperHoldsOomLock: { commit: 'pre-af5679fbc669', release: '<= v4.18', effect: 'the OOM reaper holds oom_lock for the whole reap' },
  exitMmapSkipThenBarrier: { commit: '212925802454 (Andrea Arcangeli)', release: 'v4.14 (until v6.0)', effect: 'exit_mmap() of an OOM victim sets MMF_OOM_SKIP after unmapping, then an empty mmap write lock/unlock as a barrier' },
  exitMmapReapsVictim: { commit: '27ae357fa82b (David Rientjes)', release: 'v4.17 (until v6.0)', effect: 'exit_mmap() of an MMF_OOM_VICTIM mm reaps it itself before munlock, then SKIP + barrier' },
  reapQueuedFlag: { commit: '"oom, oom_reaper: do not enqueue same task twice" (Tetsuo Handa)', release: 'v5.1', effect: 'queue_oom_reaper() test-and-sets MMF_OOM_REAP_QUEUED' },
  processMrelease: { commit: '884a7e5964e0', release: 'v5.15-rc1', effect: 'the process_mrelease() system call exists (mmgrab only)' },
  mreleasePinsUsers: { commit: '337546e83fc7', release: 'v5.15-rc8 (until v5.16)', effect: 'process_mrelease() pins mm_users with mmget_not_zero() under task_lock and mmput()s at the end' },
  exitMmapWriteLocked: { commit: '64591e8605d6 (Suren Baghdasaryan)', release: 'v5.17 (until v6.0)', effect: 'exit_mmap() holds mmap_write_lock over munlock, unmap, free_pgtables and VMA freeing' },
  mreleaseMmgrab: { commit: 'ba535c1caf3e', release: 'v5.17', effect: 'process_mrelease() back to mmgrab() and an MMF_OOM_SKIP recheck under the read lock' },
  exitMmapClearsList: { commit: '"mm: fix use-after-free bug when mm->mmap is reused after being freed" (Suren)', release: 'v5.17', effect: 'exit_mmap() empties the VMA tree (mm->mmap = NULL; __mt_destroy since v6.1) before unlocking' },
  reaperDelay2s: { commit: '"mm: delay the OOM reaper to allow time for proper futex cleanup" (Nico Pache, Joel Savitz)', release: 'v5.18', effect: 'queue_oom_reaper() arms a timer of OOM_REAPER_DELAY = 2*HZ' },
  reaperSkipsLocked: { commit: 'pre Hugh Dickins mlock rework ("allow oomreap") [unverified]', release: '<= v5.17', effect: '__oom_reap_task_mm() skips VM_LOCKED VMAs' },
  exitMmapReadThenWrite: { commit: 'bf3980c85212 + b3541d912a84', release: 'v6.1', effect: 'exit_mmap() unmaps under the read lock, sets MMF_OOM_SKIP, then takes the write lock to free page tables and VMAs; MMF_OOM_VICTIM removed' },
  skipAlways: { commit: 'bf3980c85212', release: 'v6.1', effect: 'exit_mmap() sets MMF_OOM_SKIP for every mm, not only OOM victims' },
  numaDoWhileBug: { commit: '214dbc428137 (introduced), 9c70b2a33cd2 (fixed in v6.12-rc6)', release: 'v6.2 .. v6.12-rc5', effect: 'task_numa_work() runs its do-while body once with vma == NULL on an empty tree' },
  forkMtDup: { commit: 'd24062914837 (Peng Zhang)', release: 'v6.8', effect: 'dup_mmap() copies the whole tree with __mt_dup() and replaces entries one by one' },
  xaZeroMarker: { commit: 'd24062914837', release: 'v6.8 (until v6.19)', effect: 'a failed dup_mmap() stores XA_ZERO_ENTRY over the failed VMA; exit_mmap() stops there' },
  ksmKhugepagedOnSuccessOnly: { commit: '985da552a98e (CVE-2024-50263)', release: 'v6.12-rc6', effect: 'ksm_fork()/khugepaged_fork() run after the VMA loop and only on success' },
  uffdFailNoEvent: { commit: 'f64e67e5d3a4', release: 'v6.12-rc6', effect: 'a failed dup_mmap() drops queued userfaultfd fork events (dup_userfaultfd_fail)' },
  uprobeSemInDupMm: { commit: '8ac662f5da19 (Lorenzo Stoakes)', release: 'v6.13', effect: 'the dup_mmap_sem read section is in dup_mm() and held across the failure mmput()' },
  failedForkFlags: { commit: '64c37e134b12 (Liam Howlett)', release: 'v6.14', effect: 'a failed dup_mmap() sets MMF_OOM_SKIP (if it stored a marker) and MMF_UNSTABLE before unlocking' },
  uprobeChecksUnstable: { commit: '64c37e134b12', release: 'v6.14', effect: 'register_for_each_vma() skips mms with MMF_UNSTABLE' },
  reaperReverse: { commit: 'zhongjinji v9 "The OOM reaper traverses the VMA maple tree in reverse order"', release: 'v6.18', effect: '__oom_reap_task_mm() walks VMAs from the top' },
  thawWholeProcess: { commit: 'zhongjinji v9 "Thaw the entire OOM victim process"', release: 'v6.18', effect: 'mark_oom_victim() thaws every thread of the victim' },
  swapoffChecksUnstable: { commit: '1367da7eb875 (Charan Teja Kalla)', release: 'v6.18', effect: 'unuse_mm() skips mms with MMF_UNSTABLE' },
  forkFailTearDown: { commit: '43873af772f8 "mm: change dup_mmap() recovery" (Liam Howlett)', release: 'v7.0', effect: 'a failed dup_mmap() tears down its partial VMAs and destroys the tree, sets MMF_OOM_SKIP + MMF_UNSTABLE' },
  anonVmaTwoPhaseClone: { commit: 'Lorenzo Stoakes anon_vma series v3 ("eliminate partial anon_vma tear-down in anon_vma_fork()")', release: 'v7.0', effect: 'anon_vma_fork() preallocates; anon_vma_clone() allocates every AVC before linking any' },
  forkKillableVmaLock: { commit: 'vma_start_write_killable() in dup_mmap()', release: 'v7.0', effect: 'dup_mmap() write-locks each parent VMA killably: a fatal signal fails the fork with -EINTR' },
  mreleaseReapKill: { commit: 'PROCESS_MRELEASE_REAP_KILL v3 (Minchan Kim, mm-new)', release: 'proposed 2026', effect: 'process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL) kills every sharer and reaps in one call' },
  taskExitMm: { commit: '"keep task\'s mm around in separate exit_mm field post-exit" (Jann Horn 2020, Brauner repost 2026)', release: 'proposed 2026', effect: 'exit_mm() keeps current->exit_mm with an mmgrab(); dropped when the task is freed' },
  exitMmapWholeWriteLock: { commit: 'Linus Torvalds, May 16 2026', release: 'proposed 2026', effect: 'exit_mmap() takes mmap_write_lock for the whole teardown' },
  walkersUseMmCountOnly: { commit: 'Linus Torvalds, May 22 2026', release: 'proposed 2026', effect: '/proc walkers drop mmget_not_zero() and rely on mm_count + the read lock; -ESRCH when task->mm is NULL' },
};

type Preset = { readonly name: string; readonly on: readonly SwitchName[] };

const ON_V4_13: readonly SwitchName[] = ['signalOomMm', 'reaperPinsUsers', 'reaperHoldsOomLock', 'reaperSkipsLocked'];
const ON_V4_14: readonly SwitchName[] = ['signalOomMm', 'reaperHoldsOomLock', 'reaperSkipsLocked', 'exitMmapSkipThenBarrier'];
const ON_V4_17: readonly SwitchName[] = [...ON_V4_14, 'exitMmapReapsVictim'];
/* v4.19: oom_lock leaves the reaper; v5.1: MMF_OOM_REAP_QUEUED. */
const ON_V5_1: readonly SwitchName[] = ['signalOomMm', 'reaperSkipsLocked', 'exitMmapSkipThenBarrier', 'exitMmapReapsVictim', 'reapQueuedFlag'];
const ON_V5_15_RC1: readonly SwitchName[] = [...ON_V5_1, 'processMrelease'];
const ON_V5_15: readonly SwitchName[] = [...ON_V5_15_RC1, 'mreleasePinsUsers'];
const ON_V5_17_RC: readonly SwitchName[] = [...ON_V5_15_RC1, 'exitMmapWriteLocked', 'mreleaseMmgrab'];
const ON_V5_17: readonly SwitchName[] = [...ON_V5_17_RC, 'exitMmapClearsList'];
/* v5.18: reaper delay, mlock rework; v6.1: read-then-write exit_mmap, SKIP always, no MMF_OOM_VICTIM. */
const ON_V6_1: readonly SwitchName[] = ['signalOomMm', 'reapQueuedFlag', 'processMrelease', 'mreleaseMmgrab', 'exitMmapClearsList', 'reaperDelay2s', 'exitMmapReadThenWrite', 'skipAlways'];
const ON_V6_2: readonly SwitchName[] = [...ON_V6_1, 'numaDoWhileBug'];
const ON_V6_8: readonly SwitchName[] = [...ON_V6_2, 'forkMtDup', 'xaZeroMarker'];
const ON_V6_12: readonly SwitchName[] = [...ON_V6_1, 'forkMtDup', 'xaZeroMarker', 'ksmKhugepagedOnSuccessOnly', 'uffdFailNoEvent'];
const ON_V6_13: readonly SwitchName[] = [...ON_V6_12, 'uprobeSemInDupMm'];
const ON_V6_14: readonly SwitchName[] = [...ON_V6_13, 'failedForkFlags', 'uprobeChecksUnstable'];
const ON_V6_18: readonly SwitchName[] = [...ON_V6_14, 'reaperReverse', 'thawWholeProcess', 'swapoffChecksUnstable'];
const ON_V7_0: readonly SwitchName[] = [
  ...ON_V6_18.filter((s) => s !== 'xaZeroMarker'),
  'forkFailTearDown', 'anonVmaTwoPhaseClone', 'forkKillableVmaLock',
];

const PRESETS: readonly Preset[] = [
  { name: 'v4.13', on: ON_V4_13 },
  { name: 'v4.14', on: ON_V4_14 },
  { name: 'v4.17', on: ON_V4_17 },
  { name: 'v5.15-rc1', on: ON_V5_15_RC1 },
  { name: 'v5.15', on: ON_V5_15 },
  { name: 'v5.17-rc', on: ON_V5_17_RC },
  { name: 'v5.17', on: ON_V5_17 },
  { name: 'v6.1', on: ON_V6_1 },
  { name: 'v6.2', on: ON_V6_2 },
  { name: 'v6.8', on: ON_V6_8 },
  { name: 'v6.11', on: ON_V6_8 },
  { name: 'v6.12', on: ON_V6_12 },
  { name: 'v6.13', on: ON_V6_13 },
  { name: 'v6.14', on: ON_V6_14 },
  { name: 'v6.17', on: ON_V6_14 },
  { name: 'v6.18', on: ON_V6_18 },
  { name: 'v7.0', on: ON_V7_0 },
  { name: 'v7.0+reap-kill', on: [...ON_V7_0, 'mreleaseReapKill'] },
  { name: 'v7.0+exit-mm', on: [...ON_V7_0, 'taskExitMm'] },
  {
    name: 'v7.0+exit-write-lock',
    on: [...ON_V7_0.filter((s) => s !== 'exitMmapReadThenWrite'), 'exitMmapWholeWriteLock', 'walkersUseMmCountOnly'],
  },
];

/** Preset names, oldest first; the proposals last. */
export const presets: readonly string[] = PRESETS.map((p) => p.name);

/** The default preset (current mainline). */
export const DEFAULT_PRESET = 'v7.0';

function switchesOf(on: readonly SwitchName[]): Record<SwitchName, boolean> {
  const sw = {} as Record<SwitchName, boolean>;
  for (const s of switchNames) sw[s] = on.includes(s);
  return sw;
}

function isSwitch(s: string): s is SwitchName {
  return (switchNames as readonly string[]).includes(s);
}

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
  const p = PRESETS.find((x) => x.name === preset);
  if (!p) throw new Error(`unknown kernel preset '${preset}'; valid presets: ${presets.join(', ')}`);
  const sw = switchesOf(p.on);
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
