#!/usr/bin/env node
// The bpfdbg command: runs the TypeScript CLI through tsx so that `npm install` alone leaves it usable.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

// tsx's loader must be given with --import (its hooks for ESM import() cannot be registered later
// from CommonJS), so the CLI runs in a child Node with the loader named by absolute URL: that works
// from any working directory.
const loader = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const entry = path.join(__dirname, '..', 'main', 'cli', 'entry.ts');
const child = spawnSync(process.execPath, ['--import', loader, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
if (child.error) {
  process.stderr.write(`bpfdbg: cannot start: ${child.error.message}\n`);
  process.exitCode = 70;
} else if (child.signal) {
  process.kill(process.pid, child.signal);
} else {
  process.exitCode = child.status ?? 70;
}
