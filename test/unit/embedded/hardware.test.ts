import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviseHardware, physicalCoresFromCpuinfo, resolveThreads, type MachineInfo } from '../../../src/core/providers/embedded/hardware';

const GB = 1024 ** 3;
const cases: { name: string; machine: MachineInfo; verdicts: Record<string, string>; recommended?: string; summary?: RegExp }[] = [
  {
    name: 'a small laptop is told to use the smallest models',
    machine: { totalMemBytes: 8 * GB, freeMemBytes: 3 * GB, physicalCores: 2 },
    verdicts: { '0.5B': 'good', '1.5B': 'good', '7B': 'too-big' }, recommended: '1.5B', summary: /8\.0 GB RAM.*up to 1\.5B/,
  },
  {
    name: 'plenty of memory but few cores makes big models slow, not recommended',
    machine: { totalMemBytes: 64 * GB, freeMemBytes: 48 * GB, physicalCores: 4 },
    verdicts: { '3B': 'good', '7B': 'slow', '14B': 'slow' }, recommended: '3B', summary: /7B, 14B will be slow/,
  },
  {
    name: 'a GPU with enough memory runs big models well',
    machine: { totalMemBytes: 32 * GB, freeMemBytes: 20 * GB, physicalCores: 4, gpu: { name: 'RTX', totalBytes: 12 * GB, freeBytes: 11.5 * GB } },
    verdicts: { '14B': 'good' }, recommended: '14B',
  },
  {
    name: 'no free memory: nothing runs well, and the advice says so',
    machine: { totalMemBytes: 2 * GB, freeMemBytes: 0.5 * GB, physicalCores: 2 },
    verdicts: {}, recommended: undefined, summary: /struggle/,
  },
];

for (const c of cases) {
  test(c.name, () => {
    const a = adviseHardware(c.machine);
    for (const [label, verdict] of Object.entries(c.verdicts)) assert.equal(a.sizes.find((s) => s.label === label)?.verdict, verdict, label);
    assert.equal(a.recommended, c.recommended);
    if (c.summary) assert.match(a.summary, c.summary);
  });
}

test('threads: a setting wins; automatic leaves a core to the editor', () => {
  assert.equal(resolveThreads(3, 8), 3);
  assert.equal(resolveThreads(0, 8), 7);
  assert.equal(resolveThreads(0, 2), 1);
  assert.equal(resolveThreads(0, 1), 1);
});

test('physical cores are counted from the core map, not hyper-threads', () => {
  const cpu = (p: number, c: number) => `processor\t: x\nphysical id\t: ${p}\ncore id\t\t: ${c}\n`;
  assert.equal(physicalCoresFromCpuinfo([cpu(0, 0), cpu(0, 1), cpu(0, 0), cpu(0, 1)].join('\n')), 2);
  assert.equal(physicalCoresFromCpuinfo([cpu(0, 0), cpu(1, 0)].join('\n')), 2);
  assert.equal(physicalCoresFromCpuinfo('processor : 0\n'), undefined);
});
