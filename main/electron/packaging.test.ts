// Packaging: electron-builder.yml has the four targets, and the engine worker is reachable from a packaged layout.
//
// electron-builder itself cannot run here (it downloads the Electron zip from github.com), so this
// builds the same layout it would: an app.asar of out/** + package.json with out/main unpacked
// (@electron/asar, the archiver electron-builder uses), then starts the worker from
// app.asar.unpacked the way main/electron/index.ts resolves it, and asks it for hello.
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workerScriptPath } from './paths';
import { WorkerClient } from '../../engine/host/worker-client';
import type { EngineMessage } from '../../engine/protocol';

const ROOT = path.join(__dirname, '..', '..');
const OUT_MAIN = path.join(ROOT, 'out', 'main');
// electron-builder's own YAML parser (a dependency of it); the config is ours.
const yaml = require('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  asarUnpack: string[];
  files: string[];
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
}
const config = yaml.load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/**
 * Every require() reachable from a built entry through relative requires. Only the worker's closure
 * matters: Electron loads index.js through its asar support (which resolves app.asar/node_modules);
 * the worker runs from app.asar.unpacked with plain Node resolution.
 */
function requiresFrom(entry: string): { file: string; spec: string }[] {
  const out: { file: string; spec: string }[] = [];
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
      out.push({ file, spec: m[1] });
      const target = path.resolve(path.dirname(file), m[1]);
      if (m[1].startsWith('.') && existsSync(target)) visit(target);
    }
  };
  visit(entry);
  return out;
}

describe('electron-builder.yml', () => {
  it('targets AppImage and deb, dmg, nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.files).toContain('out/**');
    expect(config.asarUnpack).toContain('out/main/**');
  });

  it('maps the worker path into app.asar.unpacked when packaged, and leaves dev paths alone', () => {
    expect(workerScriptPath('/opt/bpfdbg/resources/app.asar/out/main')).toBe('/opt/bpfdbg/resources/app.asar.unpacked/out/main/worker.js');
    expect(workerScriptPath('/work/main/out/main')).toBe('/work/main/out/main/worker.js');
    expect(workerScriptPath('/x/app.asarfoo/out/main')).toBe('/x/app.asarfoo/out/main/worker.js');
  });
});

describe.skipIf(!existsSync(path.join(OUT_MAIN, 'worker.js')))('packaged layout (needs npx electron-vite build)', () => {
  it('every module the worker requires is a built-in, a file inside out/main, or itself unpacked', () => {
    const unpackedModules = config.asarUnpack.flatMap((g) => /^node_modules\/([^/]+)\/\*\*$/.exec(g)?.[1] ?? []);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const requires = requiresFrom(path.join(OUT_MAIN, 'worker.js'));
    expect(requires.length).toBeGreaterThan(0);
    for (const { file, spec } of requires) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        expect(target.startsWith(OUT_MAIN + path.sep) && existsSync(target), `${file}: ${spec}`).toBe(true);
      } else {
        expect(builtins.has(spec) || unpackedModules.includes(spec.split('/')[0]), `${file} requires ${spec}, which is not unpacked`).toBe(true);
      }
    }
  });

  it('the worker starts from app.asar.unpacked and answers hello', async () => {
    const { createPackageWithOptions } = require('@electron/asar') as typeof import('@electron/asar');
    const dir = mkdtempSync(path.join(tmpdir(), 'bpfdbg-pack-'));
    try {
      const stage = path.join(dir, 'stage');
      mkdirSync(stage);
      cpSync(path.join(ROOT, 'out'), path.join(stage, 'out'), { recursive: true });
      cpSync(path.join(ROOT, 'package.json'), path.join(stage, 'package.json'));
      const resources = path.join(dir, 'resources');
      mkdirSync(resources);
      await createPackageWithOptions(stage, path.join(resources, 'app.asar'), { unpackDir: 'out/main' });
      const script = workerScriptPath(path.join(resources, 'app.asar', 'out', 'main'));
      expect(script).toBe(path.join(resources, 'app.asar.unpacked', 'out', 'main', 'worker.js'));
      expect(existsSync(script)).toBe(true);
      const client = new WorkerClient({ script });
      const answer = await new Promise<EngineMessage>((resolve) => {
        client.onMessage(resolve);
        client.post({ type: 'request', id: 1, request: { kind: 'hello' } });
      });
      await client.close();
      expect(answer).toMatchObject({ type: 'response', id: 1, response: { kind: 'hello' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
