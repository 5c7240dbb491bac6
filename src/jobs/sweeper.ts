/**
 * A periodic repair task of one process (resume fan-outs left without a job, group reports left
 * ungrouped, start escalations never started): at most one run at a time, a failed run is logged
 * and the next one comes as planned, and `stop()` waits for the run under way. The task may check
 * `stopped()` to end a long run early.
 */
import type { Logger } from '../logger.js';

export class Sweeper {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `name` appears in the log line of a failed run. */
  constructor(
    private readonly name: string,
    private readonly task: (stopped: () => boolean) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Runs the task now unless a run is under way; resolves when that run ends. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.task(() => this.stopped)
      .catch((error: Error) => this.logger.error({ err: { name: error.name, message: error.message } }, `${this.name} failed`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs the task every `ms` milliseconds from now on (0: never). The timer keeps no process alive. */
  every(ms: number): void {
    if (this.timer) clearInterval(this.timer);
    if (ms <= 0 || this.stopped) return;
    this.timer = setInterval(() => void this.run(), ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
