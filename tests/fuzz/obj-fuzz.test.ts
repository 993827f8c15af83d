// Fuzz suite for the object loader: a fixed-seed run over every example object; no input may
// throw, every diagnostic needs a code and a location, and loaded programs must be self-consistent.
// A longer run: npx tsx tests/fuzz/obj-fuzz-run.ts --count 200000 --seed 1
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkObject, fuzzObjects, type Seed } from './obj-fuzz-core';

const DIR = join(__dirname, '../../resources/examples');
const SEEDS: Seed[] = readdirSync(DIR).filter((f) => f.endsWith('.o')).sort().map((f) => ({ name: f.slice(0, -2), bytes: new Uint8Array(readFileSync(join(DIR, f))) }));
const COUNT = 6000;
const CORPUS = join(__dirname, 'corpus');

describe('engine/obj fuzz', () => {
  it(`survives ${COUNT} mutated objects (seed 20261122)`, () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(8);
    const report = fuzzObjects(SEEDS, COUNT, 20261122);
    console.log(`obj fuzz: ${report.tried} inputs, ${report.crashes.length} crashes, ${report.badDiagnostics.length} bad diagnostics, ${report.inconsistent.length} inconsistent, ${report.loadedPrograms} still loaded programs, ${report.diagnostics} diagnostics; by kind ${JSON.stringify(report.byKind)}`);
    expect(report.crashes.slice(0, 3)).toEqual([]);
    expect(report.badDiagnostics.slice(0, 3)).toEqual([]);
    expect(report.inconsistent.slice(0, 3)).toEqual([]);
    // The mutations must reach past the header checks, or the run proves little.
    expect(report.loadedPrograms).toBeGreaterThan(COUNT / 4);
    expect(Object.keys(report.byKind).sort()).toEqual(['bitflip', 'field', 'overwrite', 'splice', 'stack', 'truncate']);
  });

  // Inputs that once broke a promise (saved with obj-fuzz-run.ts --index/--out), kept as regressions.
  it.each(readdirSync(CORPUS).filter((f) => f.endsWith('.o')))('regression input %s', (f) => {
    const c = checkObject(new Uint8Array(readFileSync(join(CORPUS, f))), f);
    expect([c.crashes, c.badDiagnostics, c.inconsistent]).toEqual([[], [], []]);
    expect(c.diagnostics).toBeGreaterThan(0);
  });
});
