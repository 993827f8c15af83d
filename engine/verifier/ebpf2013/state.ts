// struct verifier_state of bpf_check.c laid out as the C struct is, one int per field: 11 registers
// {ptr, read_ok, imm} then 480 stack bytes {type, ptr, imm}. Cloning is one copy, pruning compares the fields
// (the seed memcmp's whole structs, padding included, VER-44), and the C layout gives regs[11..15] for free:
// they overlay stack[0..4], exactly the out-of-bounds access the seed makes (VER-16c).
import { FP_2013, MAX_BPF_STACK_2013, MAX_REG_2013_STATE, REG_TYPE_2013, SLOT_2013, type RegState2013, type StackSlot2013, type State2013View } from './types';

export const BADBAD = 0xbadbad;
const REGS = MAX_REG_2013_STATE * 3;
const SIZE = REGS + MAX_BPF_STACK_2013 * 3;

export class State2013 {
  private constructor(readonly a: Int32Array) {}

  /** init_reg_state [S3:L730-L746]: everything unreadable scalar 0xbadbad, R10 = PTR_TO_STACK, R1 = PTR_TO_CTX. */
  static initial(): State2013 {
    const s = new State2013(new Int32Array(SIZE));
    for (let r = 0; r < MAX_REG_2013_STATE; r++) s.a[r * 3 + 2] = BADBAD;
    s.setReg(FP_2013, REG_TYPE_2013.PTR_TO_STACK, true, BADBAD);
    s.setReg(1, REG_TYPE_2013.PTR_TO_CTX, true, BADBAD);
    return s;
  }

  clone(): State2013 {
    return new State2013(this.a.slice());
  }

  equals(o: State2013): boolean {
    const a = this.a;
    const b = o.a;
    for (let i = 0; i < SIZE; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** FNV-1a over every field, so pruning compares in full only states that can be equal. */
  hash(): number {
    let h = 0x811c9dc5;
    const a = this.a;
    for (let i = 0; i < SIZE; i++) h = Math.imul(h ^ a[i], 0x01000193);
    return h >>> 0;
  }

  // Registers. bool read_ok shares its int with the padding after it; for r >= 11 that int is the slot's ptr,
  // whose low byte the C bool reads and writes (little endian).
  ptr(r: number): number {
    return this.a[r * 3];
  }
  readOk(r: number): boolean {
    return (this.a[r * 3 + 1] & 0xff) !== 0;
  }
  imm(r: number): number {
    return this.a[r * 3 + 2];
  }
  setReg(r: number, ptr: number, readOk: boolean, imm: number): void {
    const i = r * 3;
    this.a[i] = ptr;
    this.a[i + 1] = (this.a[i + 1] & ~0xff) | (readOk ? 1 : 0);
    this.a[i + 2] = imm;
  }
  setPtr(r: number, ptr: number): void {
    this.a[r * 3] = ptr;
  }
  /** mark_reg_no_ptr: a readable scalar. */
  markNoPtr(r: number): void {
    this.setReg(r, REG_TYPE_2013.INVALID_PTR, true, BADBAD);
  }

  // Stack bytes, by index MAX_BPF_STACK + off (0..479).
  slotType(k: number): number {
    return this.a[REGS + k * 3];
  }
  slotPtr(k: number): number {
    return this.a[REGS + k * 3 + 1];
  }
  slotImm(k: number): number {
    return this.a[REGS + k * 3 + 2];
  }
  setSlotType(k: number, type: number): void {
    this.a[REGS + k * 3] = type;
  }
  setSpill(k: number, ptr: number, imm: number): void {
    const i = REGS + k * 3;
    this.a[i] = SLOT_2013.SPILL;
    this.a[i + 1] = ptr;
    this.a[i + 2] = imm;
  }

  view(): State2013View {
    const a = this.a;
    const regs: RegState2013[] = [];
    for (let r = 0; r < MAX_REG_2013_STATE; r++) regs.push({ ptr: a[r * 3], readOk: (a[r * 3 + 1] & 0xff) !== 0, imm: a[r * 3 + 2] });
    const stack: StackSlot2013[] = [];
    for (let k = MAX_BPF_STACK_2013 - 1; k >= 0; k--) {
      const i = REGS + k * 3;
      if (a[i] !== SLOT_2013.INVALID) stack.push({ off: k - MAX_BPF_STACK_2013, type: a[i], ptr: a[i + 1], imm: a[i + 2] });
    }
    return { regs, stack };
  }
}
