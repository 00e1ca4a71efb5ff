import { readFile } from 'node:fs/promises'

// Linux reports CPU time in clock ticks; 100 a second on every architecture Node supports.
const MS_PER_TICK = 10

/**
 * The CPU time (user + system, every thread) the processes have used so far, in ms, from
 * /proc/<pid>/stat; a process that has exited counts 0.
 */
export async function cpuMs(pids: readonly number[]): Promise<number> {
  let ticks = 0
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    // Fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0)
  }
  return ticks * MS_PER_TICK
}
