/**
 * Node flags for a profiled child gateway: with BENCH_CPU_PROF=<folder> set, the child writes a
 * V8 CPU profile (.cpuprofile, for Chrome DevTools or speedscope) there when it exits.
 */
export function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
