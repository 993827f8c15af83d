// `bpfdbg test FILE.data...`: runs test files in the bpf_conformance format through our assembler and interpreter.
//
// The format (Alan-Jowett/bpf_conformance, src/bpf_test_parser.cc): sections opened by a line
// starting with "--":
//   -- asm      conformance-syntax assembly ("#" starts a comment)
//   -- raw      instead of asm: one 64-bit instruction word per token (hex with 0x, or decimal),
//               little-endian, so the low byte is the opcode
//   -- mem      hex bytes: the memory whose address the program gets in r1 (its length in r2)
//   -- result   the expected r0 (hex with 0x, or decimal)
//   -- error    instead of result: the program must fail (load or run); the text is the reference
//               runtime's message, shown but not compared (ours are the kernel's messages)
//   -- no register offset, -- c   ignored sections
// A file with no result and no error, or with an unknown section, fails with the reason.
// r0 is compared in full 64 bits (the suite's own runner compares the low 32).
import { parse } from '../../../engine/asm';
import { decode, formatDiagnostic, type Insn } from '../../../engine/isa';
import { runProgram } from '../../../engine/interp';
import { parseArgs, UsageError } from '../args';
import { EXIT } from '../io';
import type { Command } from '../main';
export interface DataFile {
  readonly asm?: string;
  /** Line of the asm section's first line in the file (1-based), for diagnostics. */
  readonly asmLine?: number;
  readonly raw?: Uint8Array;
  readonly mem: Uint8Array;
  readonly result?: bigint;
  readonly error?: string;
}

export type DataParse = { ok: true; file: DataFile } | { ok: false; reason: string };

function parseNumber(text: string): bigint | undefined {
  const t = text.trim();
  if (/^-?0x[0-9a-f]+$/i.test(t)) return BigInt.asUintN(64, t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t));
  if (/^-?\d+$/.test(t)) return BigInt.asUintN(64, BigInt(t));
  return undefined;
}

export function parseDataFile(text: string): DataParse {
  type Section = 'ignore' | 'asm' | 'raw' | 'result' | 'mem' | 'error';
  let section: Section = 'ignore';
  const asm: string[] = [];
  let asmLine: number | undefined;
  const raw: string[] = [];
  const mem: string[] = [];
  let result: string | undefined;
  let error: string | undefined;
  let sawAsm = false;
  let sawRaw = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trimStart().startsWith('--')) {
      const name = line.trim().slice(2).trim();
      if (name === 'asm') [section, sawAsm, asmLine] = ['asm', true, i + 2];
      else if (name === 'raw') [section, sawRaw] = ['raw', true];
      else if (name === 'result') section = 'result';
      else if (name === 'mem') section = 'mem';
      else if (name === 'error') section = 'error';
      else if (name === 'no register offset' || name === 'c') section = 'ignore';
      else return { ok: false, reason: `line ${i + 1}: unsupported section '-- ${name}'` };
      continue;
    }
    switch (section) {
      case 'asm':
        // Blank lines and comments stay, so that assembler line numbers match the file.
        asm.push(line.includes('#') ? line.slice(0, line.indexOf('#')) : line);
        break;
      case 'result':
        if (line.trim()) result = line.trim();
        break;
      case 'error':
        if (line.trim()) error = line.trim();
        break;
      case 'mem':
        if (line.trim() && !line.trim().startsWith('#')) mem.push(line);
        break;
      case 'raw':
        if (line.trim() && !line.trim().startsWith('#')) raw.push(line);
        break;
      default:
        break;
    }
  }
  if (result === undefined && error === undefined) return { ok: false, reason: 'no -- result or -- error section' };
  let expected: bigint | undefined;
  if (result !== undefined) {
    expected = parseNumber(result);
    if (expected === undefined) return { ok: false, reason: `result '${result}' is not a number` };
  }
  const memBytes: number[] = [];
  for (const tok of mem.join(' ').split(/\s+/).filter(Boolean)) {
    if (!/^(0x)?[0-9a-f]{1,2}$/i.test(tok)) return { ok: false, reason: `memory byte '${tok}' is not hex` };
    memBytes.push(parseInt(tok.replace(/^0x/i, ''), 16));
  }
  let rawBytes: Uint8Array | undefined;
  if (sawRaw && raw.length) {
    const words = raw.join(' ').split(/\s+/).filter(Boolean);
    rawBytes = new Uint8Array(words.length * 8);
    const v = new DataView(rawBytes.buffer);
    for (let w = 0; w < words.length; w++) {
      const n = parseNumber(words[w]);
      if (n === undefined) return { ok: false, reason: `raw instruction word '${words[w]}' is not a number` };
      v.setBigUint64(w * 8, n, true);
    }
  }
  if (!rawBytes && !(sawAsm && asm.some((l) => l.trim()))) return { ok: false, reason: 'no instructions (-- asm or -- raw)' };
  return {
    ok: true,
    file: {
      ...(rawBytes ? { raw: rawBytes } : { asm: asm.join('\n'), asmLine }),
      mem: Uint8Array.from(memBytes),
      ...(expected !== undefined ? { result: expected } : {}),
      ...(error !== undefined ? { error } : {}),
    },
  };
}

/** What running one test file gave. */
export interface TestOutcome {
  readonly pass: boolean;
  /** One line: why it failed, or what an expected-error test produced. */
  readonly detail: string;
}

/** Assembles (or decodes) a parsed test file's program; diagnostics carry file-relative line numbers. */
export function programOf(file: DataFile, name: string): { insns: Insn[] } | { error: string } {
  if (file.raw) {
    const d = decode(file.raw, { section: `${name} -- raw` });
    const bad = d.diagnostics.find((x) => x.severity === 'error');
    return bad ? { error: formatDiagnostic(bad) } : { insns: d.insns };
  }
  const p = parse(file.asm ?? '', { syntax: 'conformance', file: name });
  const bad = p.diagnostics.find((x) => x.severity === 'error');
  if (bad) return { error: formatDiagnostic({ ...bad, ...(bad.line !== undefined ? { line: bad.line + (file.asmLine ?? 1) - 1 } : {}) }) };
  return { insns: p.insns };
}

function hex64(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** Runs one .data file's text in the interpreter (r1 = memory, r2 = its length). */
export function runDataText(text: string, name: string): TestOutcome {
  const parsed = parseDataFile(text);
  if (!parsed.ok) return { pass: false, detail: parsed.reason };
  const file = parsed.file;
  const prog = programOf(file, name);
  if ('error' in prog) {
    return file.error !== undefined
      ? { pass: true, detail: `rejected as expected: ${prog.error}` }
      : { pass: false, detail: prog.error };
  }
  const run = runProgram(prog.insns, { type: 'raw', mem: file.mem, budget: RUN_BUDGET, name });
  if (run.stop !== 'exit') {
    const why = run.fault ? `${run.fault.code}: ${run.fault.message}${run.fault.pc !== undefined ? ` at pc ${run.fault.pc}` : ''}` : run.stop;
    return file.error !== undefined
      ? { pass: true, detail: `failed as expected: ${why} (reference runtime: ${file.error})` }
      : { pass: false, detail: why };
  }
  if (file.error !== undefined) return { pass: false, detail: `expected an error (${file.error}) but r0 = ${hex64(run.r0)}` };
  if (run.r0 !== file.result) return { pass: false, detail: `r0 = ${hex64(run.r0)}, expected ${hex64(file.result!)}` };
  return { pass: true, detail: '' };
}

/** Instruction budget per test: enough for any conformance test, small enough that a runaway loop ends quickly. */
const RUN_BUDGET = 10_000_000;

export const command: Command = {
  summary: 'Run bpf_conformance-style .data test files in the interpreter; prints PASS/FAIL per file and "N passed, M failed"',
  usage: 'bpfdbg test FILE.data...',
  run(argv, io) {
    const args = parseArgs(argv, {});
    if (!args.positionals.length) throw new UsageError('no test files given');
    let passed = 0;
    let failed = 0;
    for (const path of args.positionals) {
      let text: string;
      try {
        text = new TextDecoder().decode(io.readFile(path));
      } catch (e) {
        failed++;
        io.stdout(`FAIL ${path}: cannot read: ${(e as Error).message}\n`);
        continue;
      }
      const r = runDataText(text, path);
      if (r.pass) passed++;
      else failed++;
      io.stdout(`${r.pass ? 'PASS' : 'FAIL'} ${path}${r.detail ? `: ${r.detail}` : ''}\n`);
    }
    io.stdout(`${passed} passed, ${failed} failed\n`);
    return failed ? EXIT.INPUT_ERROR : EXIT.OK;
  },
};

export default command;
