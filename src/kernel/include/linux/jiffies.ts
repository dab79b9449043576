// Models: include/linux/jiffies.h @ v7.0: the tick rate of the model's logical clock.
// CUSTOMISED: HZ is 10 (one model jiffy = 100 ms), so the OOM reaper's 2 s delay is 20 ticks
// and its retry back-off (HZ/10) is one tick: small numbers keep explorations short.
// The clock itself is the engine's (prims.ts: jiffies, sleep, sleepUntil).

/** Ticks per second of the model clock. */
export const HZ = 10;
