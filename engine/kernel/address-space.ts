// The simulated kernel's address space: typed, bounds-checked memory regions at fake 64-bit kernel addresses.
//
// Every byte a program can touch lives in a Region. Addresses are 64-bit values split into a high
// and a low 32-bit word (the interpreter keeps registers that way, without BigInt). A region never
// crosses a 4 GiB boundary, so "same high word and low word in [base, base+size)" is the whole
// bounds check. Regions of one kind share a high word that looks like the kernel's own layout:
//
//   0xffffc900_xxxxxxxx  vmalloc area: per-frame BPF stacks, ring buffers
//   0xffff8880_xxxxxxxx  direct map: ctx, packet, conformance memory
//   0xffff8881_xxxxxxxx  direct map: map values (array storage, hash elements)
//   0xffff8882_xxxxxxxx  direct map: read-only kernel objects reachable through probe_read
//   0xffff8883_xxxxxxxx  struct bpf_map objects (what lddw map_fd loads)
//   0xffffffff_a0xxxxxx  kernel text: BPF program code (what lddw func / callx use)

export type RegionKind = 'stack' | 'ctx' | 'packet' | 'mem' | 'map_value' | 'kernel' | 'user' | 'ringbuf' | 'map_object';

export const HI = {
  STACK: 0xffffc900 | 0,
  RINGBUF: 0xffffc901 | 0,
  DIRECT: 0xffff8880 | 0,
  MAP_VALUE: 0xffff8881 | 0,
  KERNEL: 0xffff8882 | 0,
  MAP_OBJECT: 0xffff8883 | 0,
  USER: 0x00007ffd | 0,
  TEXT: 0xffffffff | 0,
} as const;

/** Special loads from a region (ctx fields that the kernel rewrites into 64-bit pointers). */
/** A high word no region may use: interpreters mark an empty translation cache with it. */
export const NO_HI = 0x0bad0bad;

export type FieldLoad = (offset: number, size: number) => bigint | undefined;

export interface Region {
  readonly name: string;
  readonly kind: RegionKind;
  /** High 32 bits of the base address (as int32). */
  readonly hi: number;
  /** Low 32 bits of the base address (unsigned). */
  readonly lo: number;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  writable: boolean;
  /** Arrays of elements (array maps): an access must stay inside one element of elemSize at stride. */
  readonly stride?: number;
  readonly elemSize?: number;
  /** ctx fields with special loads; regions with fieldLoad are never served by the interpreter's fast path. */
  readonly fieldLoad?: FieldLoad;
  /** False once the region was freed (deleted hash element, discarded ring record). */
  live: boolean;
}

export interface RegionSpec {
  name: string;
  kind: RegionKind;
  hi: number;
  /** Base low word; omitted: the next free 64 KiB-aligned slot in that high word. */
  lo?: number;
  bytes: Uint8Array;
  writable: boolean;
  stride?: number;
  elemSize?: number;
  fieldLoad?: FieldLoad;
  /** Pack with other small objects (16-byte aligned, 256-byte guard gap) instead of a 64 KiB slot. */
  compact?: boolean;
  /** Address space to reserve beyond the region (room for regions placed right after it). */
  reserve?: number;
}

/** A resolved access: the region and the byte offset of the access inside region.bytes. */
export interface Resolved {
  region: Region;
  offset: number;
}

export type AccessError =
  | { code: 'mem_unmapped'; message: string }
  | { code: 'mem_out_of_bounds'; message: string; region: Region }
  | { code: 'mem_read_only'; message: string; region: Region };

export function hex64(hi: number, lo: number): string {
  return `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
}

export function splitAddress(addr: bigint): [hi: number, lo: number] {
  const a = BigInt.asUintN(64, addr);
  return [Number(a >> 32n) | 0, Number(a & 0xffffffffn)];
}

export function joinAddress(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function regionAddress(r: Region): bigint {
  return joinAddress(r.hi, r.lo);
}

const SLOT_ALIGN = 0x10000;
const COMPACT_GAP = 256;

/** Regions by high word; each list sorted by low base. */
export class AddressSpace {
  private readonly byHi = new Map<number, Region[]>();
  private readonly nextLo = new Map<number, number>();
  /** Writes made through write()/writeBig() are reported here while set (step-back recording). */
  onWrite: ((region: Region, offset: number, before: Uint8Array) => void) | undefined;
  private readonly unmapListeners: Array<(region: Region) => void> = [];

  /** Called after any region is unmapped (interpreters drop cached translations). */
  onUnmap(listener: (region: Region) => void): () => void {
    this.unmapListeners.push(listener);
    return () => {
      const i = this.unmapListeners.indexOf(listener);
      if (i >= 0) this.unmapListeners.splice(i, 1);
    };
  }

  map(spec: RegionSpec): Region {
    const size = spec.bytes.byteLength;
    let lo = spec.lo;
    if (lo === undefined) {
      // Singleton regions get their own 64 KiB-aligned slot; small objects (hash elements, ring
      // records) are packed like slab objects with a 256-byte unmapped gap after each, so small
      // overruns still fault instead of landing in a neighbour.
      const span = Math.max(size, spec.reserve ?? 0, 1);
      lo = this.nextLo.get(spec.hi) ?? SLOT_ALIGN;
      const next = spec.compact ? lo + ((span + 15) & ~15) + COMPACT_GAP : lo + Math.ceil(span / SLOT_ALIGN + 1) * SLOT_ALIGN;
      if (next <= 0x100000000) this.nextLo.set(spec.hi, next);
      else {
        // Past the end: reuse a gap that unmapped regions left (long sessions that run many programs).
        const gap = this.freeGap(spec.hi, span, spec.compact === true);
        if (gap === undefined) throw new RangeError(`address space for high word ${(spec.hi >>> 0).toString(16)} is exhausted`);
        lo = gap;
      }
    }
    if ((spec.hi | 0) === NO_HI) throw new RangeError(`high word ${NO_HI.toString(16)} is reserved`);
    if (lo < 0 || lo + size > 0x100000000) throw new RangeError(`region ${spec.name} crosses a 4 GiB boundary`);
    const region: Region = {
      name: spec.name, kind: spec.kind, hi: spec.hi | 0, lo: lo >>> 0, size, bytes: spec.bytes,
      view: new DataView(spec.bytes.buffer, spec.bytes.byteOffset, spec.bytes.byteLength),
      writable: spec.writable, live: true,
      ...(spec.stride !== undefined ? { stride: spec.stride, elemSize: spec.elemSize ?? spec.stride } : {}),
      ...(spec.fieldLoad ? { fieldLoad: spec.fieldLoad } : {}),
    };
    let list = this.byHi.get(region.hi);
    if (!list) this.byHi.set(region.hi, (list = []));
    const at = this.lowerBound(list, region.lo);
    const prev = list[at - 1];
    const next = list[at];
    if ((prev && prev.lo + prev.size > region.lo) || (next && region.lo + size > next.lo) || (next && next.lo === region.lo)) {
      throw new RangeError(`region ${spec.name} overlaps another region`);
    }
    list.splice(at, 0, region);
    return region;
  }

  /** Index of the first region whose base is >= lo. */
  private lowerBound(list: readonly Region[], lo: number): number {
    let a = 0;
    let b = list.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (list[m].lo < lo) a = m + 1;
      else b = m;
    }
    return a;
  }

  unmap(region: Region): void {
    region.live = false;
    const list = this.byHi.get(region.hi);
    if (!list) return;
    const i = this.lowerBound(list, region.lo);
    if (list[i] === region) list.splice(i, 1);
    for (const l of this.unmapListeners) l(region);
  }

  regions(): Region[] {
    return [...this.byHi.values()].flat();
  }

  /** The region containing the byte at (hi, lo), if any. */
  find(hi: number, lo: number): Region | undefined {
    const list = this.byHi.get(hi | 0);
    if (!list) return undefined;
    const l = lo >>> 0;
    let a = 0;
    let b = list.length - 1;
    while (a <= b) {
      const m = (a + b) >> 1;
      const r = list[m];
      if (l < r.lo) b = m - 1;
      else if (l >= r.lo + Math.max(r.size, 1)) a = m + 1;
      else return r;
    }
    return undefined;
  }

  /** First free low address for `span` bytes with the same alignment and guard gap as fresh allocations. */
  private freeGap(hi: number, span: number, compact: boolean): number | undefined {
    const align = compact ? 16 : SLOT_ALIGN;
    const guard = compact ? COMPACT_GAP : SLOT_ALIGN;
    const up = (x: number): number => Math.ceil(x / align) * align;
    let cursor = SLOT_ALIGN;
    for (const r of this.byHi.get(hi | 0) ?? []) {
      if (up(cursor) + span + guard <= r.lo) return up(cursor);
      cursor = Math.max(cursor, r.lo + r.size + guard);
    }
    return up(cursor) + span + guard <= 0x100000000 ? up(cursor) : undefined;
  }

  /** A region that ends or starts within 4 KiB of an unmapped address, to name in the fault. */
  private nearest(hi: number, lo: number): { region: Region; text: string } | undefined {
    const l = lo >>> 0;
    let best: { region: Region; text: string; dist: number } | undefined;
    for (const r of this.byHi.get(hi | 0) ?? []) {
      const end = r.lo + r.size;
      if (l >= end && l - end < 0x1000 && (!best || l - end < best.dist)) best = { region: r, dist: l - end, text: `${l - end} bytes past the end of ${r.name} (size ${r.size})` };
      if (l < r.lo && r.lo - l <= 0x1000 && (!best || r.lo - l < best.dist)) best = { region: r, dist: r.lo - l, text: `${r.lo - l} bytes before the start of ${r.name}` };
    }
    return best;
  }

  /** Checks an access of `size` bytes at (hi, lo); the whole access must stay inside one region (one element). */
  resolve(hi: number, lo: number, size: number, write: boolean): Resolved | AccessError {
    const r = this.find(hi, lo);
    const where = `${size}-byte ${write ? 'write' : 'read'} at ${hex64(hi, lo)}`;
    if (!r) {
      const near = this.nearest(hi, lo);
      if (near) return { code: 'mem_out_of_bounds', region: near.region, message: `${where}: ${near.text}` };
      return { code: 'mem_unmapped', message: `${where}: no memory mapped there` };
    }
    const offset = (lo >>> 0) - r.lo;
    if (offset + size > r.size) {
      return { code: 'mem_out_of_bounds', region: r, message: `${where}: crosses the end of ${r.name} (offset ${offset}, size ${r.size})` };
    }
    if (r.stride !== undefined) {
      const inElem = offset % r.stride;
      if (inElem + size > r.elemSize!) {
        return { code: 'mem_out_of_bounds', region: r, message: `${where}: crosses the end of element ${Math.floor(offset / r.stride)} of ${r.name} (offset ${inElem} in a ${r.elemSize}-byte value)` };
      }
    }
    if (write && !r.writable) return { code: 'mem_read_only', region: r, message: `${where}: ${r.name} is read-only` };
    return { region: r, offset };
  }

  /** Reads bytes at a 64-bit address; undefined where any byte is unmapped or the range leaves its region. */
  read(addr: bigint, size: number): Uint8Array | undefined {
    const [hi, lo] = splitAddress(addr);
    if (size === 0) return new Uint8Array(0);
    const res = this.resolve(hi, lo, size, false);
    if ('code' in res) return undefined;
    return res.region.bytes.slice(res.offset, res.offset + size);
  }

  /** Writes bytes at a 64-bit address; returns the error instead of writing when the range is not writable memory. */
  write(addr: bigint, data: Uint8Array, force = false): AccessError | undefined {
    if (data.byteLength === 0) return undefined;
    const [hi, lo] = splitAddress(addr);
    const res = this.resolve(hi, lo, data.byteLength, !force);
    if ('code' in res) return res;
    if (this.onWrite) this.onWrite(res.region, res.offset, res.region.bytes.slice(res.offset, res.offset + data.byteLength));
    res.region.bytes.set(data, res.offset);
    return undefined;
  }
}
