// struct verifier_state of bpf_check.c as flat typed arrays: 11 registers {ptr, read_ok, imm} and 480 stack bytes
// {type, ptr, imm}. Pruning compares the fields themselves (the seed memcmp's whole structs, padding included, VER-44).
import { FP_2013, MAX_BPF_STACK_2013, MAX_REG_2013_STATE, REG_TYPE_2013, SLOT_2013, type State2013View } from './types';

export const BADBAD = 0xbadbad;

export class State2013 {
  readonly regPtr = new Int32Array(MAX_REG_2013_STATE);
  readonly regReadOk = new Uint8Array(MAX_REG_2013_STATE);
  readonly regImm = new Int32Array(MAX_REG_2013_STATE);
  readonly slotType = new Uint8Array(MAX_BPF_STACK_2013);
  readonly slotPtr = new Int32Array(MAX_BPF_STACK_2013);
  readonly slotImm = new Int32Array(MAX_BPF_STACK_2013);

  /** init_reg_state [S3:L730-L746]: everything unreadable scalar 0xbadbad, R10 = PTR_TO_STACK, R1 = PTR_TO_CTX. */
  static initial(): State2013 {
    const s = new State2013();
    s.regPtr.fill(REG_TYPE_2013.INVALID_PTR);
    s.regImm.fill(BADBAD);
    s.regPtr[FP_2013] = REG_TYPE_2013.PTR_TO_STACK;
    s.regReadOk[FP_2013] = 1;
    s.regPtr[1] = REG_TYPE_2013.PTR_TO_CTX;
    s.regReadOk[1] = 1;
    return s;
  }

  clone(): State2013 {
    const s = new State2013();
    s.copyFrom(this);
    return s;
  }

  copyFrom(o: State2013): void {
    this.regPtr.set(o.regPtr);
    this.regReadOk.set(o.regReadOk);
    this.regImm.set(o.regImm);
    this.slotType.set(o.slotType);
    this.slotPtr.set(o.slotPtr);
    this.slotImm.set(o.slotImm);
  }

  equals(o: State2013): boolean {
    return eq(this.regPtr, o.regPtr) && eq(this.regReadOk, o.regReadOk) && eq(this.regImm, o.regImm)
      && eq(this.slotType, o.slotType) && eq(this.slotPtr, o.slotPtr) && eq(this.slotImm, o.slotImm);
  }

  // Register access. regs[] has 11 entries, yet a_reg/x_reg are 4 bits and the seed never rejects 11..15 (VER-16c).
  // In C, regs[11 + k] is the 12-byte stack[k] that follows regs[] in struct verifier_state: reg.ptr overlays
  // slot.type, the bool read_ok the low byte of slot.ptr (little endian), reg.imm slot.imm. Faithful mode
  // reproduces that aliasing; hardened mode never gets here with such a register.
  ptr(r: number): number {
    return r < MAX_REG_2013_STATE ? this.regPtr[r] : this.slotType[r - MAX_REG_2013_STATE];
  }
  readOk(r: number): boolean {
    return r < MAX_REG_2013_STATE ? this.regReadOk[r] !== 0 : (this.slotPtr[r - MAX_REG_2013_STATE] & 0xff) !== 0;
  }
  imm(r: number): number {
    return r < MAX_REG_2013_STATE ? this.regImm[r] : this.slotImm[r - MAX_REG_2013_STATE];
  }
  setReg(r: number, ptr: number, readOk: boolean, imm: number): void {
    if (r < MAX_REG_2013_STATE) {
      this.regPtr[r] = ptr;
      this.regReadOk[r] = readOk ? 1 : 0;
      this.regImm[r] = imm;
    } else {
      const k = r - MAX_REG_2013_STATE;
      this.slotType[k] = ptr;
      this.slotPtr[k] = (this.slotPtr[k] & ~0xff) | (readOk ? 1 : 0);
      this.slotImm[k] = imm;
    }
  }
  setPtr(r: number, ptr: number): void {
    this.setReg(r, ptr, this.readOk(r), this.imm(r));
  }
  setImm(r: number, imm: number): void {
    this.setReg(r, this.ptr(r), this.readOk(r), imm);
  }

  /** mark_reg_no_ptr: a readable scalar. */
  markNoPtr(r: number): void {
    this.setReg(r, REG_TYPE_2013.INVALID_PTR, true, BADBAD);
  }

  view(): State2013View {
    const regs = Array.from({ length: MAX_REG_2013_STATE }, (_, r) => ({ ptr: this.regPtr[r], readOk: this.regReadOk[r] !== 0, imm: this.regImm[r] }));
    const stack = [];
    for (let i = MAX_BPF_STACK_2013 - 1; i >= 0; i--) {
      if (this.slotType[i] !== SLOT_2013.INVALID) stack.push({ off: i - MAX_BPF_STACK_2013, type: this.slotType[i], ptr: this.slotPtr[i], imm: this.slotImm[i] });
    }
    return { regs, stack };
  }
}

function eq(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
