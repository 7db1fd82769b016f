// `npm start` keeps its pieces running: a piece that exits on its own (a crash, an OOM kill) is started again
// after a pause that doubles with each crash (1 s, 2 s, 4 s … at most 30 s), and the stack is stopped only
// when a piece keeps failing (more than `maxCrashes` within `windowMs`). Every restart is in the stack's log.
import type { Logger } from 'pino';
import { sleep, type Service } from './proc.js';

export interface SupervisorOptions {
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  /** Called once when a piece keeps failing; the caller stops the stack. */
  onGiveUp: (service: string) => void;
  maxCrashes?: number;
  windowMs?: number;
  firstPauseMs?: number;
  maxPauseMs?: number;
}

export interface Supervisor {
  /** Watch a started piece; `restart` starts it again (and waits until it is ready). */
  watch(service: Service, restart: () => Promise<Service>): void;
  /** The pieces as they run now (restarted ones replaced), in the order they were watched. */
  services(): Service[];
  /** Stop watching: exits from now on are expected (the stack is stopping). */
  stop(): void;
}

export function createSupervisor(opts: SupervisorOptions): Supervisor {
  const maxCrashes = opts.maxCrashes ?? 5;
  const windowMs = opts.windowMs ?? 5 * 60_000;
  const firstPauseMs = opts.firstPauseMs ?? 1_000;
  const maxPauseMs = opts.maxPauseMs ?? 30_000;
  const current: Service[] = [];
  let stopped = false;

  const watchAt = (index: number, restart: () => Promise<Service>, crashes: number[]) => {
    const service = current[index]!;
    service.child.once('exit', (code, signal) => {
      if (stopped) return;
      void (async () => {
        const now = Date.now();
        const recent = [...crashes.filter((t) => now - t < windowMs), now];
        if (recent.length > maxCrashes) {
          opts.log.error({ service: service.name, code, signal, crashes: recent.length, withinSeconds: windowMs / 1000, log: service.logFile }, `${service.name} keeps failing; stopping the stack — see its log`);
          stopped = true;
          opts.onGiveUp(service.name);
          return;
        }
        const pauseMs = Math.min(firstPauseMs * 2 ** (recent.length - 1), maxPauseMs);
        opts.log.warn({ service: service.name, code, signal, attempt: recent.length, restartInSeconds: pauseMs / 1000, log: service.logFile }, `${service.name} stopped unexpectedly; restarting it`);
        await sleep(pauseMs);
        if (stopped) return;
        try {
          current[index] = await restart();
          opts.log.info({ service: service.name, pid: current[index]!.child.pid }, `${service.name} restarted`);
          watchAt(index, restart, recent);
        } catch (err) {
          opts.log.error({ service: service.name, err: err instanceof Error ? err.message : String(err) }, `${service.name} could not be restarted; stopping the stack`);
          stopped = true;
          opts.onGiveUp(service.name);
        }
      })();
    });
  };

  return {
    watch(service, restart) {
      current.push(service);
      watchAt(current.length - 1, restart, []);
    },
    services: () => [...current],
    stop() {
      stopped = true;
    },
  };
}
