// 64-bit multiply, divide and modulo on pairs of 32-bit halves, without BigInt on the common paths.
//
// Results go to the module-level OUT pair (lo, hi) to avoid allocating. Divisors that fit in 32
// bits use exact long division in 16-bit digits (every intermediate stays below 2^53); a divisor
// of 2^32 or more takes a double estimate of the quotient corrected by one exact comparison.

export const OUT = new Int32Array(2);

/** floor((a*b) / 2^32) for unsigned 32-bit a, b: exact with doubles by splitting a into 16-bit halves. */
export function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  // Every partial product is below 2^32, so >>> and & on them are exact.
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
}

export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  const a = alo >>> 0;
  const b = blo >>> 0;
  OUT[0] = Math.imul(alo, blo);
  OUT[1] = (mulHiU32(a, b) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/**
 * Divisors below this take the two-division path: the dividend's low part t = r1 * 2^32 + lo is
 * below b * 2^32 < 2^53, so t is exact. The quotient t / b is below 2^32, where doubles are spaced
 * 2^-21 or closer, and it is at least 1 / b > 2^-21 short of the next integer unless it is one, so
 * the correctly rounded t / b never reaches the next integer: Math.floor(t / b) (or truncating it
 * with | 0) is the exact quotient. The interpreter inlines this path for div64/mod64.
 */
export const SMALL_DIVISOR = 0x1fffff;

let REM_LO = 0;
let REM_HI = 0;

/** Unsigned 64-bit divide: quotient to OUT, remainder kept for udivmodRem(). Divisor must be non-zero. */
function udivmod(alo: number, ahi: number, blo: number, bhi: number): void {
  const b = blo >>> 0;
  if (bhi === 0) {
    const ah = ahi >>> 0;
    const al = alo >>> 0;
    if (ah === 0) {
      const q = Math.floor(al / b);
      OUT[0] = q | 0;
      OUT[1] = 0;
      REM_LO = (al - q * b) | 0;
      REM_HI = 0;
      return;
    }
    const q1 = Math.floor(ah / b);
    const r1 = ah - q1 * b;
    if (b < SMALL_DIVISOR) {
      // One exact double division for the low word (see SMALL_DIVISOR) instead of two 16-bit digit steps.
      const t = r1 * 4294967296 + al;
      const q = Math.floor(t / b);
      OUT[0] = q | 0;
      OUT[1] = q1 | 0;
      REM_LO = (t - q * b) | 0;
      REM_HI = 0;
      return;
    }
    const t1 = r1 * 65536 + (al >>> 16);
    const q2 = Math.floor(t1 / b);
    const r2 = t1 - q2 * b;
    const t2 = r2 * 65536 + (al & 0xffff);
    const q3 = Math.floor(t2 / b);
    OUT[0] = (q2 * 65536 + q3) | 0;
    OUT[1] = q1 | 0;
    REM_LO = (t2 - q3 * b) | 0;
    REM_HI = 0;
    return;
  }
  udivmodWide(alo >>> 0, ahi >>> 0, b, bhi >>> 0);
}

/**
 * Divisor of 2^32 or more: the quotient is below 2^32. A double estimate x / y is within 2^-19 of
 * the exact quotient (three roundings of at most 2^-53 relative each, on a value below 2^32), so its
 * floor is q - 1, q or q + 1; one exact comparison of q * y with x in 32-bit words corrects it.
 * No BigInt: the operands and the remainder stay in words. Arguments are unsigned words.
 */
function udivmodWide(xl: number, xh: number, yl: number, yh: number): void {
  let q = Math.floor((xh * 4294967296 + xl) / (yh * 4294967296 + yl));
  if (q > 0xffffffff) q = 0xffffffff;
  // q * y as three words (top, mid, lo).
  let lo = Math.imul(q, yl) >>> 0;
  let s = mulHiU32(q, yl) + (Math.imul(q, yh) >>> 0);
  let mid = s >>> 0;
  let top = mulHiU32(q, yh) + (s > 0xffffffff ? 1 : 0);
  if (top !== 0 || mid > xh || (mid === xh && lo > xl)) {
    // One too many: q * y - y.
    q -= 1;
    const l = lo - yl;
    lo = l >>> 0;
    s = mid - yh - (l < 0 ? 1 : 0);
    mid = s >>> 0;
    top += s < 0 ? -1 : 0;
  }
  // r = x - q * y (below 2y < 2^65, but q * y <= x here so it fits in 64 bits).
  let rl = xl - lo;
  let rh = xh - mid - (rl < 0 ? 1 : 0);
  rl >>>= 0;
  rh >>>= 0;
  if (rh > yh || (rh === yh && rl >= yl)) {
    // One too few: r - y.
    q += 1;
    const l = rl - yl;
    rh = (rh - yh - (l < 0 ? 1 : 0)) >>> 0;
    rl = l >>> 0;
  }
  OUT[0] = q | 0;
  OUT[1] = 0;
  REM_LO = rl | 0;
  REM_HI = rh | 0;
}

/** dst / src unsigned; division by zero gives 0 (RFC 9669). */
export function div64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    OUT[0] = 0;
    OUT[1] = 0;
    return;
  }
  udivmod(alo, ahi, blo, bhi);
}

/** dst % src unsigned; modulo by zero leaves dst unchanged (RFC 9669, ALU64). */
export function mod64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    OUT[0] = alo;
    OUT[1] = ahi;
    return;
  }
  udivmod(alo, ahi, blo, bhi);
  OUT[0] = REM_LO;
  OUT[1] = REM_HI;
}

function negate(lo: number, hi: number): void {
  OUT[0] = -lo | 0;
  OUT[1] = (~hi + (lo === 0 ? 1 : 0)) | 0;
}

/** Signed 64-bit divide truncating toward zero; by zero gives 0; INT64_MIN / -1 wraps to INT64_MIN. */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    OUT[0] = 0;
    OUT[1] = 0;
    return;
  }
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    // Both are sign-extended 32-bit values: one double division, |quotient| <= 2^31 (INT32_MIN / -1
    // is 2^31, which the 64-bit result holds), and truncation is exact because the quotient is at
    // least 1 / |b| >= 2^-31 from the next integer while doubles below 2^31 are spaced 2^-22 or closer.
    const q = Math.trunc(alo / blo);
    OUT[0] = q | 0;
    OUT[1] = q < 0 ? -1 : 0;
    return;
  }
  const an = ahi < 0;
  const bn = bhi < 0;
  if (an) {
    negate(alo, ahi);
    alo = OUT[0];
    ahi = OUT[1];
  }
  if (bn) {
    negate(blo, bhi);
    blo = OUT[0];
    bhi = OUT[1];
  }
  udivmod(alo, ahi, blo, bhi);
  if (an !== bn) negate(OUT[0], OUT[1]);
}

/** Signed 64-bit remainder with the dividend's sign; by zero leaves dst unchanged. */
export function smod64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    OUT[0] = alo;
    OUT[1] = ahi;
    return;
  }
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    // Both sign-extended 32-bit: JS % on int32 values is exact and takes the dividend's sign (INT32_MIN % -1 is -0).
    const r = alo % blo;
    OUT[0] = r | 0;
    OUT[1] = r < 0 ? -1 : 0;
    return;
  }
  const an = ahi < 0;
  let xlo = alo;
  let xhi = ahi;
  if (an) {
    negate(alo, ahi);
    xlo = OUT[0];
    xhi = OUT[1];
  }
  if (bhi < 0) {
    negate(blo, bhi);
    blo = OUT[0];
    bhi = OUT[1];
  }
  udivmod(xlo, xhi, blo, bhi);
  if (an) negate(REM_LO, REM_HI);
  else {
    OUT[0] = REM_LO;
    OUT[1] = REM_HI;
  }
}

/** Signed 32-bit divide (result as int32); by zero 0; INT32_MIN / -1 = INT32_MIN. */
export function sdiv32(a: number, b: number): number {
  if (b === 0) return 0;
  if (b === -1) return -a | 0;
  return (a / b) | 0;
}

/** Signed 32-bit remainder; the caller handles b === 0 (dst unchanged, zero-extended). */
export function smod32(a: number, b: number): number {
  if (b === -1) return 0;
  return a % b | 0;
}
