// Which model sizes this machine runs well, and how many threads to give the engine.

export interface MachineInfo {
  totalMemBytes: number;
  freeMemBytes: number;
  /** Physical CPU cores (not hyper-threads). */
  physicalCores: number;
  /** GPU memory when llama.cpp reports a GPU; undefined otherwise. */
  gpu?: { name: string; totalBytes: number; freeBytes: number };
}

export interface ModelSizeAdvice {
  label: string;
  /** Approximate memory a 4-bit quantized model of this size needs, including its KV cache. */
  needBytes: number;
  verdict: 'good' | 'slow' | 'too-big';
}

export interface HardwareAdvice {
  sizes: ModelSizeAdvice[];
  /** The largest size that runs well, or undefined when none does. */
  recommended?: string;
  summary: string;
}

const GB = 1024 ** 3;

/** Code model sizes users pick from, with the memory a Q4_K_M file and a 4k context need. */
export const MODEL_SIZES: readonly { label: string; needBytes: number; paramsB: number }[] = [
  { label: '0.5B', needBytes: 0.7 * GB, paramsB: 0.5 },
  { label: '1.5B', needBytes: 1.5 * GB, paramsB: 1.5 },
  { label: '3B', needBytes: 2.6 * GB, paramsB: 3 },
  { label: '7B', needBytes: 5.5 * GB, paramsB: 7 },
  { label: '14B', needBytes: 10 * GB, paramsB: 14 },
];

/**
 * A size runs well when it fits in GPU memory, or on CPU when it fits in free memory with room to
 * spare and the CPU has the cores for it (CPU generation speed falls with size; beyond ~3B
 * parameters per 4 cores completions arrive too late to be useful while typing).
 */
export function adviseHardware(m: MachineInfo): HardwareAdvice {
  const sizes = MODEL_SIZES.map(({ label, needBytes, paramsB }): ModelSizeAdvice => {
    const fitsGpu = m.gpu !== undefined && m.gpu.freeBytes >= needBytes * 1.1;
    const fitsRam = m.freeMemBytes >= needBytes * 1.5 && m.totalMemBytes >= needBytes * 2;
    if (!fitsGpu && !fitsRam) return { label, needBytes, verdict: 'too-big' };
    const fastOnCpu = paramsB <= Math.max(0.5, (m.physicalCores / 4) * 3);
    return { label, needBytes, verdict: fitsGpu || fastOnCpu ? 'good' : 'slow' };
  });
  const good = sizes.filter((s) => s.verdict === 'good');
  const recommended = good.length ? good[good.length - 1].label : undefined;
  const mem = `${(m.totalMemBytes / GB).toFixed(1)} GB RAM (${(m.freeMemBytes / GB).toFixed(1)} GB free), ${m.physicalCores} CPU cores${m.gpu ? `, GPU ${m.gpu.name} with ${(m.gpu.freeBytes / GB).toFixed(1)} GB free` : ', no GPU'}`;
  const summary = recommended
    ? `${mem}: code models up to ${recommended} parameters run well here${sizes.some((s) => s.verdict === 'slow') ? `; ${sizes.filter((s) => s.verdict === 'slow').map((s) => s.label).join(', ')} will be slow` : ''}.`
    : `${mem}: even the smallest code model (0.5B) will struggle here.`;
  return { sizes, recommended, summary };
}

/**
 * Threads for inference. 0 means automatic: one per physical core, less one that is left to the
 * editor - llama.cpp's threads spin while waiting, so oversubscribed cores slow it down sharply.
 */
export function resolveThreads(setting: number, physicalCores: number): number {
  if (setting > 0) return Math.floor(setting);
  return Math.max(1, physicalCores - 1);
}

/** Physical cores from /proc/cpuinfo-style text ("physical id" + "core id" pairs); undefined when absent. */
export function physicalCoresFromCpuinfo(text: string): number | undefined {
  const cores = new Set<string>();
  let phys = '0';
  for (const line of text.split('\n')) {
    const [k, v] = line.split(':').map((s) => s?.trim());
    if (k === 'physical id') phys = v;
    else if (k === 'core id') cores.add(`${phys}/${v}`);
  }
  return cores.size || undefined;
}
