// Register display modes, user number input, byte parsing and decoding for the state panes.
import { describe, expect, it } from 'vitest';
import { asciiOf, decodeScalar, formatRegister, parseBytesInput, parseHexText, parseRegisterInput } from './format';

describe('register formats', () => {
  it('shows one 64-bit value as hex, unsigned and signed', () => {
    expect(formatRegister('0xfffffffffffffffe', 'hex')).toBe('0xfffffffffffffffe');
    expect(formatRegister('0xfffffffffffffffe', 'unsigned')).toBe('18446744073709551614');
    expect(formatRegister('0xfffffffffffffffe', 'signed')).toBe('-2');
    expect(formatRegister('0x7fffffffffffffff', 'signed')).toBe('9223372036854775807');
  });

  it('reads hex, decimal and negative input as a 64-bit hex value', () => {
    expect(parseRegisterInput('0x1F')).toEqual({ value: '0x1f' });
    expect(parseRegisterInput(' 31 ')).toEqual({ value: '0x1f' });
    expect(parseRegisterInput('-1')).toEqual({ value: '0xffffffffffffffff' });
    expect(parseRegisterInput('-9223372036854775808')).toEqual({ value: '0x8000000000000000' });
    expect(parseRegisterInput('18446744073709551616')).toHaveProperty('error');
    expect(parseRegisterInput('r1')).toHaveProperty('error');
  });
});

describe('bytes', () => {
  it('decodes 4- and 8-byte little-endian scalars only', () => {
    expect(decodeScalar('2a 00 00 00')).toBe('u32 42');
    expect(decodeScalar('ff ff ff ff ff ff ff ff')).toBe('u64 18446744073709551615');
    expect(decodeScalar('01 02')).toBeUndefined();
    expect(asciiOf('2f 65 74 63 00')).toBe('/etc.');
  });

  it('parses numbers little-endian for scalar sizes and hex bytes for any size', () => {
    expect(parseBytesInput('42', 4)).toEqual({ hex: '2a 00 00 00' });
    expect(parseBytesInput('0x1234', 8)).toEqual({ hex: '34 12 00 00 00 00 00 00' });
    expect(parseBytesInput('-1', 2)).toEqual({ hex: 'ff ff' });
    expect(parseBytesInput('70000', 2)).toEqual({ error: '70000 does not fit in 2 bytes' });
    expect(parseBytesInput('01 02 03', 3)).toEqual({ hex: '01 02 03' });
    expect(parseBytesInput('0a0b0c', 3)).toEqual({ hex: '0a 0b 0c' });
    expect(parseBytesInput('01 02', 3)).toEqual({ error: '2 bytes given; 3 needed' });
    expect(parseBytesInput('5', 3)).toHaveProperty('error');
    expect(parseBytesInput('xyz', 4)).toHaveProperty('error');
    expect(parseHexText('de ad,be\nef')).toBe('de ad be ef');
    expect(parseHexText('abc')).toBeUndefined();
    expect(parseHexText('1 2')).toBeUndefined();
    expect(parseHexText('  ')).toBe('');
  });
});
