import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { physicalCoresFromCpuinfo, type MachineInfo } from '../hardware';

/** This machine's memory and cores (GPU memory is added by the engine when llama.cpp reports one). */
export function readMachine(): MachineInfo {
  let physicalCores: number | undefined;
  try {
    if (process.platform === 'linux') physicalCores = physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // fall back below
  }
  const logical = os.availableParallelism?.() ?? os.cpus().length;
  // Without a core map, assume two hardware threads per core on larger machines.
  physicalCores ??= logical > 2 ? Math.ceil(logical / 2) : logical;
  return { totalMemBytes: os.totalmem(), freeMemBytes: os.freemem(), physicalCores };
}
