/**
 * Milliseconds on an epoch-like scale that never jumps: the process start's wall time plus the
 * monotonic time since. Durations, timeouts and rates computed from it survive wall-clock jumps
 * (NTP steps, DST mistakes, a VM resumed); use `Date.now()` only for what a person reads.
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}
