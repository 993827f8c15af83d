// Map semantics: random update/delete/lookup sequences compared with real kernel maps (bpf(2)), plus ring buffer, queue/stack and per-CPU behaviour.
import { describe, expect, it } from 'vitest';
import { bpfAvailability, closeFd, mapCreate, mapDelete, mapLookup, mapUpdate } from '../host/bpf';
import { ArrayMap, BpfMap, HashMap, QueueStackMap, RingBufMap, ERRNO } from './maps';
import { Kernel } from './kernel';

const avail = bpfAvailability();

/** Deterministic PRNG for the operation sequences. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

function differential(type: 'hash' | 'array', seed: number): void {
  const def = { type, keySize: 4, valueSize: 12, maxEntries: 4 } as const;
  const k = new Kernel();
  const ours = k.createMap(def) as BpfMap;
  const fd = mapCreate({ mapType: type, keySize: 4, valueSize: 12, maxEntries: 4, name: 'bpfdbg_diff' });
  expect(fd.ok).toBe(true);
  if (!fd.ok) return;
  try {
    const rnd = lcg(seed);
    for (let step = 0; step < 300; step++) {
      const key = u32(rnd() % 7);
      const value = new Uint8Array(12).map(() => rnd() & 0xff);
      const op = rnd() % 6;
      const what = `step ${step}: op ${op} key ${key[0]}`;
      if (op <= 3) {
        const flags = [0, 1, 2, 4][op];
        const mine = ours.update(key, value, flags, 0);
        const theirs = mapUpdate(fd.fd, key, value, flags);
        expect(mine, what).toBe(theirs.ok ? 0 : -theirs.errno);
      } else if (op === 4) {
        const mine = ours.delete(key);
        const theirs = mapDelete(fd.fd, key);
        expect(mine, what).toBe(theirs.ok ? 0 : -theirs.errno);
      } else {
        const mine = ours.get(key);
        const theirs = mapLookup(fd.fd, key, 12);
        expect(mine ? [...mine] : undefined, what).toEqual(theirs.ok ? [...theirs.value] : undefined);
      }
    }
  } finally {
    closeFd(fd.fd);
  }
}

describe(`map operations agree with kernel maps${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  for (const seed of [1, 2, 3]) {
    it.skipIf(!avail.ok)(`hash, seed ${seed}`, () => differential('hash', seed));
    it.skipIf(!avail.ok)(`array, seed ${seed}`, () => differential('array', seed));
  }
});

describe('maps (kernel semantics from kernel/bpf/hashtab.c, arraymap.c, queue_stack_maps.c, ringbuf.c)', () => {
  it('hash: flags, full map, delete; values live in address-space regions', () => {
    const k = new Kernel();
    const m = k.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 2 }) as HashMap;
    expect(m.update(u32(1), new Uint8Array(8).fill(1), 2, 0)).toBe(-ERRNO.ENOENT);
    expect(m.update(u32(1), new Uint8Array(8).fill(1), 0, 0)).toBe(0);
    expect(m.update(u32(1), new Uint8Array(8).fill(2), 1, 0)).toBe(-ERRNO.EEXIST);
    expect(m.update(u32(2), new Uint8Array(8).fill(3), 0, 0)).toBe(0);
    expect(m.update(u32(3), new Uint8Array(8).fill(4), 0, 0)).toBe(-ERRNO.E2BIG);
    const r = m.lookupRegion(u32(2), 0)!;
    expect(k.space.find(r.region.hi, r.region.lo)).toBe(r.region);
    expect(m.delete(u32(2))).toBe(0);
    expect(r.region.live).toBe(false);
    expect(k.space.find(r.region.hi, r.region.lo)).toBeUndefined();
  });

  it('lru_hash evicts the least recently used key when full', () => {
    const k = new Kernel();
    const m = k.createMap({ type: 'lru_hash', keySize: 4, valueSize: 4, maxEntries: 2 }) as HashMap;
    m.set(u32(1), u32(10));
    m.set(u32(2), u32(20));
    m.lookupRegion(u32(1), 0);
    m.set(u32(3), u32(30));
    expect(m.keys().map((x) => x[0]).sort()).toEqual([1, 3]);
  });

  it('percpu_array keeps one value per CPU', () => {
    const k = new Kernel({ nCpus: 3 });
    const m = k.createMap({ type: 'percpu_array', keySize: 4, valueSize: 4, maxEntries: 2 }) as ArrayMap;
    m.update(u32(1), u32(7), 0, 2);
    expect(m.get(u32(1), 2)![0]).toBe(7);
    expect(m.get(u32(1), 0)![0]).toBe(0);
    expect(m.update(u32(2), u32(7), 0, 0)).toBe(-ERRNO.E2BIG);
  });

  it('queue is FIFO, stack is LIFO; BPF_EXIST overwrites the oldest when full', () => {
    const k = new Kernel();
    const q = k.createMap({ type: 'queue', keySize: 0, valueSize: 4, maxEntries: 2 }) as QueueStackMap;
    const s = k.createMap({ type: 'stack', keySize: 0, valueSize: 4, maxEntries: 2 }) as QueueStackMap;
    for (const m of [q, s]) {
      expect(m.push(u32(1), 0)).toBe(0);
      expect(m.push(u32(2), 0)).toBe(0);
      expect(m.push(u32(3), 0)).toBe(-ERRNO.E2BIG);
    }
    expect(q.take(true)![0]).toBe(1);
    expect(s.take(true)![0]).toBe(2);
    expect(q.push(u32(3), 2)).toBe(0);
    expect(q.push(u32(4), 2)).toBe(0);
    expect(q.items.map((x) => x[0])).toEqual([3, 4]);
  });

  it('ringbuf accounts 8-byte headers and 8-byte rounding; discard frees space, submit keeps it until consumed', () => {
    const k = new Kernel();
    const rb = k.createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
    const a = rb.reserve(4000)!;
    expect(a).toBeDefined();
    expect(rb.reserve(100)).toBeUndefined();
    expect(rb.finish(a.lo, true)).toBe(true);
    const b = rb.reserve(100)!;
    b.bytes.fill(9);
    expect(rb.finish(b.lo, false)).toBe(true);
    expect(rb.finish(b.lo, false)).toBe(false);
    expect(rb.records().map((r) => r.length)).toEqual([100]);
    expect(rb.query(0)).toBe(8n + 104n);
    expect(rb.consume().length).toBe(1);
    expect(rb.query(3)).toBe(0n);
  });

  it('rejects bad definitions the way BPF_MAP_CREATE does', () => {
    const k = new Kernel();
    expect('code' in k.createMap({ type: 'array', keySize: 8, valueSize: 4, maxEntries: 1 })).toBe(true);
    expect('code' in k.createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 0 })).toBe(true);
    expect('code' in k.createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 1000 })).toBe(true);
    expect('code' in k.createMap({ type: 99, keySize: 4, valueSize: 4, maxEntries: 1 })).toBe(true);
  });
  it('holds many hash elements, each its own bounds-checked region', () => {
    const k = new Kernel();
    const m = k.createMap({ type: 'hash', keySize: 4, valueSize: 16, maxEntries: 100000 }) as HashMap;
    let failed = 0;
    for (let i = 0; i < 100000; i++) if (m.set(u32(i), u32(i * 3)) !== 0) failed++;
    expect(failed).toBe(0);
    expect(m.size).toBe(100000);
    const r = m.lookupRegion(u32(77777), 0)!;
    expect(new DataView(r.region.bytes.buffer, r.region.bytes.byteOffset).getUint32(0, true)).toBe(77777 * 3);
    expect('code' in k.space.resolve(r.region.hi, r.region.lo + 12, 8, false)).toBe(true);
    expect(m.delete(u32(5))).toBe(0);
    expect(m.get(u32(6))![0]).toBe(18);
  });
});
