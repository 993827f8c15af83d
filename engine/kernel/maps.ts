// BPF maps with the kernel's semantics (hash, array, per-CPU, LRU, prog/perf arrays, ring buffer, stack, queue).
//
// Values that programs reach by pointer live in regions of the AddressSpace, so a lookup returns a
// real (simulated) address and every later access through it is bounds-checked. Keys are plain
// bytes. Error returns are the kernel's negative errno values.
import { HI, joinAddress, type AddressSpace, type Region } from './address-space';

export const ERRNO = { EPERM: 1, ENOENT: 2, EAGAIN: 11, E2BIG: 7, EBUSY: 16, EEXIST: 17, EINVAL: 22, ENOSPC: 28, ENOMEM: 12, EFAULT: 14, EOPNOTSUPP: 95 } as const;

/** Update flags of map_update_elem. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

export const MAP_TYPES = {
  hash: 1, array: 2, prog_array: 3, perf_event_array: 4, percpu_hash: 5, percpu_array: 6,
  lru_hash: 9, queue: 22, stack: 23, ringbuf: 27,
} as const;
export type MapTypeName = keyof typeof MAP_TYPES;

export interface MapDef {
  /** Kernel name or BPF_MAP_TYPE_* number. */
  type: MapTypeName | number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name?: string;
}

export type MapDefError = { code: 'map_def'; message: string };

/** Receives undo actions while a step is being recorded. */
export interface Journal {
  record: ((undo: () => void) => void) | undefined;
}

export interface MapEnv {
  space: AddressSpace;
  nCpus: number;
  journal: Journal;
}

function keyString(key: Uint8Array): string {
  let s = '';
  for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]);
  return s;
}

function keyBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

const round8 = (n: number): number => (n + 7) & ~7;

export function mapTypeName(type: MapTypeName | number): MapTypeName | undefined {
  if (typeof type === 'string') return type in MAP_TYPES ? type : undefined;
  return (Object.keys(MAP_TYPES) as MapTypeName[]).find((k) => MAP_TYPES[k] === type);
}

/** Validates a definition the way BPF_MAP_CREATE does (subset); undefined when fine. */
export function checkMapDef(def: MapDef): MapDefError | undefined {
  const t = mapTypeName(def.type);
  const bad = (message: string): MapDefError => ({ code: 'map_def', message: `map ${def.name ?? ''}: ${message}` });
  if (!t) return bad(`unsupported map type ${String(def.type)}`);
  if (!Number.isInteger(def.maxEntries) || def.maxEntries <= 0) return bad('max_entries must be > 0');
  if (t === 'ringbuf') {
    if (def.keySize !== 0 || def.valueSize !== 0) return bad('ringbuf needs key_size 0 and value_size 0');
    if ((def.maxEntries & (def.maxEntries - 1)) !== 0 || def.maxEntries % 4096 !== 0) return bad('ringbuf max_entries must be a power of 2 multiple of 4096');
    return undefined;
  }
  if (t === 'queue' || t === 'stack') {
    if (def.keySize !== 0) return bad('queue/stack need key_size 0');
  } else if (def.keySize <= 0) return bad('key_size must be > 0');
  if (t === 'array' || t === 'percpu_array' || t === 'prog_array' || t === 'perf_event_array') {
    if (def.keySize !== 4) return bad('array maps need key_size 4');
  }
  if ((t === 'prog_array' || t === 'perf_event_array') && def.valueSize !== 4) return bad('prog/perf arrays need value_size 4');
  if (def.valueSize <= 0) return bad('value_size must be > 0');
  if (def.maxEntries * round8(def.valueSize) > 1 << 28) return bad('map too large for the simulator (256 MiB)');
  return undefined;
}

export abstract class BpfMap {
  readonly type: MapTypeName;
  readonly name: string;
  /** The struct bpf_map object the program's lddw map_fd points at. */
  object!: Region;

  constructor(readonly def: MapDef, protected readonly env: MapEnv) {
    this.type = mapTypeName(def.type)!;
    this.name = def.name ?? this.type;
  }

  get address(): bigint {
    return joinAddress(this.object.hi, this.object.lo);
  }

  /** Program-side lookup: the value region and offset for the current CPU, or undefined (NULL). */
  lookupRegion(_key: Uint8Array, _cpu: number): { region: Region; offset: number } | undefined {
    return undefined;
  }

  update(_key: Uint8Array, _value: Uint8Array, _flags: number, _cpu: number): number {
    return -ERRNO.EINVAL;
  }

  delete(_key: Uint8Array): number {
    return -ERRNO.EINVAL;
  }

  /** Host-side view: every (key, value) with the value of `cpu` (per-CPU maps) or the only value. */
  entries(_cpu = 0): Array<{ key: Uint8Array; value: Uint8Array }> {
    return [];
  }

  /** Host-side read of one key (per-CPU: that CPU's copy). */
  get(key: Uint8Array, cpu = 0): Uint8Array | undefined {
    const r = this.lookupRegion(key, cpu);
    return r ? r.region.bytes.slice(r.offset, r.offset + this.def.valueSize) : undefined;
  }

  protected journal(undo: () => void): void {
    this.env.journal.record?.(undo);
  }
}

/** array, percpu_array: preallocated, zero-filled values; delete is -EINVAL. */
export class ArrayMap extends BpfMap {
  readonly storage: Region[] = [];
  constructor(def: MapDef, env: MapEnv) {
    super(def, env);
    const per = this.type === 'percpu_array' ? env.nCpus : 1;
    const stride = round8(def.valueSize);
    for (let c = 0; c < per; c++) {
      this.storage.push(env.space.map({
        name: `${this.name}${per > 1 ? `[cpu${c}]` : ''} values`, kind: 'map_value', hi: HI.MAP_VALUE,
        bytes: new Uint8Array(stride * def.maxEntries), writable: true, stride, elemSize: def.valueSize,
      }));
    }
  }

  private index(key: Uint8Array): number {
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  override lookupRegion(key: Uint8Array, cpu: number): { region: Region; offset: number } | undefined {
    const i = this.index(key);
    if (i >= this.def.maxEntries) return undefined;
    const region = this.storage[this.type === 'percpu_array' ? cpu : 0];
    return { region, offset: i * round8(this.def.valueSize) };
  }

  override update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    const i = this.index(key);
    if (i >= this.def.maxEntries) return -ERRNO.E2BIG;
    if (flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    const r = this.lookupRegion(key, cpu)!;
    const before = r.region.bytes.slice(r.offset, r.offset + this.def.valueSize);
    this.journal(() => r.region.bytes.set(before, r.offset));
    r.region.bytes.set(value.subarray(0, this.def.valueSize), r.offset);
    return 0;
  }

  override entries(cpu = 0): Array<{ key: Uint8Array; value: Uint8Array }> {
    const out = [];
    for (let i = 0; i < this.def.maxEntries; i++) {
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, i, true);
      out.push({ key, value: this.get(key, cpu)! });
    }
    return out;
  }

  /** Host-side write of one element (per-CPU: that CPU's copy). */
  set(index: number, value: Uint8Array, cpu = 0): void {
    const region = this.storage[this.type === 'percpu_array' ? cpu : 0];
    region.bytes.set(value.subarray(0, this.def.valueSize), index * round8(this.def.valueSize));
  }
}

interface HashElem {
  key: Uint8Array;
  /** One region per CPU for percpu_hash, one otherwise. */
  values: Region[];
}

/** hash, percpu_hash, lru_hash. A full hash returns -E2BIG; lru_hash evicts the least recently used element (exact LRU; the kernel's is approximate per-CPU). */
export class HashMap extends BpfMap {
  /** Insertion/recency order: JS Map iteration order; LRU moves touched keys to the end. */
  private readonly elems = new Map<string, HashElem>();

  private get percpu(): boolean {
    return this.type === 'percpu_hash';
  }

  override lookupRegion(key: Uint8Array, cpu: number): { region: Region; offset: number } | undefined {
    const k = keyString(key.subarray(0, this.def.keySize));
    const e = this.elems.get(k);
    if (!e) return undefined;
    if (this.type === 'lru_hash') {
      this.elems.delete(k);
      this.elems.set(k, e);
    }
    return { region: e.values[this.percpu ? cpu : 0], offset: 0 };
  }

  private alloc(key: Uint8Array): HashElem {
    const n = this.percpu ? this.env.nCpus : 1;
    const values: Region[] = [];
    for (let c = 0; c < n; c++) {
      values.push(this.env.space.map({
        name: `${this.name} elem${n > 1 ? `[cpu${c}]` : ''}`, kind: 'map_value', hi: HI.MAP_VALUE,
        bytes: new Uint8Array(this.def.valueSize), writable: true, compact: true,
      }));
    }
    return { key: key.slice(), values };
  }

  private free(e: HashElem): void {
    for (const r of e.values) this.env.space.unmap(r);
  }

  override update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    const kb = key.subarray(0, this.def.keySize);
    const k = keyString(kb);
    const old = this.elems.get(k);
    if (old && flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (!old && flags === BPF_EXIST) return -ERRNO.ENOENT;
    const v = value.subarray(0, this.def.valueSize);
    if (old) {
      // In place, as the kernel does for per-CPU values and (observably) for plain values the program holds.
      const r = old.values[this.percpu ? cpu : 0];
      const before = r.bytes.slice();
      this.journal(() => r.bytes.set(before));
      r.bytes.set(v);
      if (this.type === 'lru_hash') {
        this.elems.delete(k);
        this.elems.set(k, old);
      }
      return 0;
    }
    let evicted: [string, HashElem] | undefined;
    if (this.elems.size >= this.def.maxEntries) {
      if (this.type !== 'lru_hash') return -ERRNO.E2BIG;
      const first = this.elems.entries().next().value as [string, HashElem];
      evicted = first;
      this.elems.delete(first[0]);
      this.free(first[1]);
    }
    let e: HashElem;
    try {
      e = this.alloc(kb);
    } catch {
      if (evicted) this.restore(evicted[0], evicted[1]);
      return -ERRNO.ENOMEM;
    }
    e.values[this.percpu ? cpu : 0].bytes.set(v);
    this.elems.set(k, e);
    this.journal(() => {
      this.elems.delete(k);
      this.free(e);
      if (evicted) this.restore(evicted[0], evicted[1]);
    });
    return 0;
  }

  private restore(k: string, e: HashElem): void {
    const again = this.alloc(e.key);
    e.values.forEach((r, i) => again.values[i].bytes.set(r.bytes));
    this.elems.set(k, again);
  }

  override delete(key: Uint8Array): number {
    const k = keyString(key.subarray(0, this.def.keySize));
    const e = this.elems.get(k);
    if (!e) return -ERRNO.ENOENT;
    this.elems.delete(k);
    this.free(e);
    this.journal(() => this.restore(k, e));
    return 0;
  }

  override entries(cpu = 0): Array<{ key: Uint8Array; value: Uint8Array }> {
    return [...this.elems.values()].map((e) => ({ key: e.key.slice(), value: e.values[this.percpu ? cpu : 0].bytes.slice() }));
  }

  get size(): number {
    return this.elems.size;
  }

  /** Host-side insert or overwrite (flags BPF_ANY); returns the errno result. */
  set(key: Uint8Array, value: Uint8Array, cpu = 0): number {
    return this.update(key, value, BPF_ANY, cpu);
  }

  keys(): Uint8Array[] {
    return [...this.elems.keys()].map(keyBytes);
  }
}

/** prog_array: slots hold loaded programs (opaque to the kernel layer); programs cannot update it. */
export class ProgArrayMap extends BpfMap {
  readonly slots: Array<unknown> = [];
  /** The program type that owns the array (first program stored), shown by the map inspector. */
  ownerType: string | undefined;

  setProgram(index: number, prog: unknown, progType?: string): number {
    if (index < 0 || index >= this.def.maxEntries) return -ERRNO.E2BIG;
    if (progType !== undefined) {
      if (this.ownerType !== undefined && this.ownerType !== progType) return -ERRNO.EINVAL;
      this.ownerType = progType;
    }
    this.slots[index] = prog;
    return 0;
  }

  program(index: number): unknown {
    return index < this.def.maxEntries ? this.slots[index] : undefined;
  }

  override delete(key: Uint8Array): number {
    const i = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    if (i >= this.def.maxEntries) return -ERRNO.E2BIG;
    if (this.slots[i] === undefined) return -ERRNO.ENOENT;
    this.slots[i] = undefined;
    return 0;
  }
}

export interface PerfRecord {
  cpu: number;
  data: Uint8Array;
}

/** perf_event_array: every index below max_entries behaves as an open perf event with a reader. */
export class PerfEventArrayMap extends BpfMap {
  readonly records: PerfRecord[] = [];

  output(index: number, data: Uint8Array): number {
    if (index >= this.def.maxEntries) return -ERRNO.E2BIG;
    const rec = { cpu: index, data: data.slice() };
    this.records.push(rec);
    this.journal(() => {
      const i = this.records.lastIndexOf(rec);
      if (i >= 0) this.records.splice(i, 1);
    });
    return 0;
  }
}

/** queue (FIFO) and stack (LIFO): push with BPF_EXIST overwrites the oldest element when full. */
export class QueueStackMap extends BpfMap {
  readonly items: Uint8Array[] = [];

  push(value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY && flags !== BPF_EXIST) return -ERRNO.EINVAL;
    const snapshot = this.items.slice();
    if (this.items.length >= this.def.maxEntries) {
      if (flags !== BPF_EXIST) return -ERRNO.E2BIG;
      this.items.shift();
    }
    this.items.push(value.slice(0, this.def.valueSize));
    this.journal(() => this.items.splice(0, this.items.length, ...snapshot));
    return 0;
  }

  /** pop/peek: the next value or undefined (-ENOENT). */
  take(remove: boolean): Uint8Array | undefined {
    if (this.items.length === 0) return undefined;
    const snapshot = this.items.slice();
    const v = this.type === 'queue' ? this.items[0] : this.items[this.items.length - 1];
    if (remove) {
      if (this.type === 'queue') this.items.shift();
      else this.items.pop();
      this.journal(() => this.items.splice(0, this.items.length, ...snapshot));
    }
    return v;
  }

  override update(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.push(value, flags);
  }
}

export interface RingRecord {
  data: Uint8Array;
  discarded: boolean;
}

/**
 * ringbuf: reserve hands out a record region of exactly the requested size (so overruns fault);
 * submit copies it into the committed list. Space is accounted like the kernel's ring: 8-byte
 * header + data rounded to 8, until the host consumes records (consume()).
 */
export class RingBufMap extends BpfMap {
  readonly committed: RingRecord[] = [];
  private readonly pending = new Map<number, { region: Region; cost: number }>();
  private used = 0;

  reserve(size: number): Region | undefined {
    const cost = 8 + round8(size);
    if (size <= 0 || this.used + cost > this.def.maxEntries) return undefined;
    const region = this.env.space.map({ name: `${this.name} record`, kind: 'ringbuf', hi: HI.RINGBUF, bytes: new Uint8Array(size), writable: true, compact: true });
    this.used += cost;
    this.pending.set(region.lo, { region, cost });
    this.journal(() => {
      this.pending.delete(region.lo);
      this.env.space.unmap(region);
      this.used -= cost;
    });
    return region;
  }

  /** submit (discard=false) or discard a reserved record by its data address low word; false if not reserved. */
  finish(lo: number, discard: boolean): boolean {
    const p = this.pending.get(lo >>> 0);
    if (!p) return false;
    this.pending.delete(lo >>> 0);
    this.env.space.unmap(p.region);
    const rec = { data: p.region.bytes.slice(), discarded: discard };
    this.committed.push(rec);
    if (discard) this.used -= p.cost;
    this.journal(() => {
      this.committed.splice(this.committed.lastIndexOf(rec), 1);
      if (discard) this.used += p.cost;
      p.region.live = true;
      this.pending.set(p.region.lo, p);
      this.env.space.map({ name: p.region.name, kind: 'ringbuf', hi: p.region.hi, lo: p.region.lo, bytes: p.region.bytes, writable: true });
    });
    return true;
  }

  output(data: Uint8Array): number {
    const r = this.reserve(data.byteLength);
    if (!r) return -ERRNO.EAGAIN;
    r.bytes.set(data);
    this.finish(r.lo, false);
    return 0;
  }

  /** Records submitted (not discarded), in order. */
  records(): Uint8Array[] {
    return this.committed.filter((r) => !r.discarded).map((r) => r.data);
  }

  /** Host consumer: frees the space of every committed record. */
  consume(): Uint8Array[] {
    const out = this.records();
    this.used = [...this.pending.values()].reduce((a, p) => a + p.cost, 0);
    this.committed.length = 0;
    return out;
  }

  /** BPF_RB_AVAIL_DATA (0), BPF_RB_RING_SIZE (1), BPF_RB_CONS_POS (2), BPF_RB_PROD_POS (3). */
  query(flags: number): bigint {
    switch (flags) {
      case 0: return BigInt(this.committed.filter((r) => !r.discarded).reduce((a, r) => a + 8 + round8(r.data.length), 0));
      case 1: return BigInt(this.def.maxEntries);
      case 2: return 0n;
      case 3: return BigInt(this.used);
      default: return 0n;
    }
  }
}

export function createMap(def: MapDef, env: MapEnv): BpfMap | MapDefError {
  const err = checkMapDef(def);
  if (err) return err;
  const t = mapTypeName(def.type)!;
  let m: BpfMap;
  switch (t) {
    case 'array': case 'percpu_array': m = new ArrayMap(def, env); break;
    case 'hash': case 'percpu_hash': case 'lru_hash': m = new HashMap(def, env); break;
    case 'prog_array': m = new ProgArrayMap(def, env); break;
    case 'perf_event_array': m = new PerfEventArrayMap(def, env); break;
    case 'queue': case 'stack': m = new QueueStackMap(def, env); break;
    case 'ringbuf': m = new RingBufMap(def, env); break;
  }
  m.object = env.space.map({ name: `map ${m.name}`, kind: 'map_object', hi: HI.MAP_OBJECT, bytes: new Uint8Array(256), writable: false });
  return m;
}
