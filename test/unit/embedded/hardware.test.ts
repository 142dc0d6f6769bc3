import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviseHardware, physicalCoresFromCpuinfo, resolveThreads } from '../../../src/core/providers/embedded/hardware';

const GB = 1024 ** 3;
const verdict = (a: ReturnType<typeof adviseHardware>, label: string) => a.sizes.find((s) => s.label === label)?.verdict;

test('a small laptop is told to use the smallest models', () => {
  const a = adviseHardware({ totalMemBytes: 8 * GB, freeMemBytes: 3 * GB, physicalCores: 2 });
  assert.equal(verdict(a, '0.5B'), 'good');
  assert.equal(verdict(a, '1.5B'), 'good');
  assert.equal(verdict(a, '7B'), 'too-big');
  assert.equal(a.recommended, '1.5B');
  assert.match(a.summary, /8\.0 GB RAM.*up to 1\.5B/);
});

test('plenty of memory but few cores makes big models slow, not recommended', () => {
  const a = adviseHardware({ totalMemBytes: 64 * GB, freeMemBytes: 48 * GB, physicalCores: 4 });
  assert.equal(verdict(a, '3B'), 'good');
  assert.equal(verdict(a, '7B'), 'slow');
  assert.equal(verdict(a, '14B'), 'slow');
  assert.equal(a.recommended, '3B');
  assert.match(a.summary, /7B, 14B will be slow/);
});

test('a GPU with enough memory runs big models well', () => {
  const a = adviseHardware({ totalMemBytes: 32 * GB, freeMemBytes: 20 * GB, physicalCores: 4, gpu: { name: 'RTX', totalBytes: 12 * GB, freeBytes: 11.5 * GB } });
  assert.equal(verdict(a, '14B'), 'good');
  assert.equal(a.recommended, '14B');
});

test('no free memory: nothing runs well, and the advice says so', () => {
  const a = adviseHardware({ totalMemBytes: 2 * GB, freeMemBytes: 0.5 * GB, physicalCores: 2 });
  assert.equal(a.recommended, undefined);
  assert.match(a.summary, /struggle/);
});

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
