// CPU time of a local PostgreSQL server, for the benchmarks that show where the projector's time goes.
import fs from 'node:fs';

/**
 * CPU time (µs) so far of the local PostgreSQL server listening on `databaseUrl`'s port: its postmaster,
 * the children it has reaped (cutime/cstime: backends that exited) and the live ones, read from /proc.
 * Undefined when there is no such local process this user can read (another host, not Linux).
 */
export function postgresCpuMicros(databaseUrl: string | undefined): number | undefined {
  const port = databaseUrl ? new URL(databaseUrl).port : '';
  if (!port || process.platform !== 'linux') return undefined;
  const stat = (pid: string): string[] | undefined => {
    try {
      const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    } catch {
      return undefined;
    }
  };
  const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const postmaster = pids.find((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmd[0]?.endsWith('/postgres') === true && cmd.includes('-p') && cmd[cmd.indexOf('-p') + 1] === port;
    } catch {
      return false;
    }
  });
  const own = postmaster ? stat(postmaster) : undefined;
  if (!postmaster || !own) return undefined;
  // utime stime cutime cstime are fields 14–17 (11–14 of the slice); ppid is field 4 (1 of the slice).
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of pids) {
    const child = stat(pid);
    if (child && child[1] === postmaster) ticks += Number(child[11]) + Number(child[12]);
  }
  return ticks * (1_000_000 / 100); // USER_HZ is 100 on Linux
}
