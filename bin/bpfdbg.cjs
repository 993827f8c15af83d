#!/usr/bin/env node
// The bpfdbg command: runs the TypeScript CLI through tsx so that `npm install` alone leaves it usable.
'use strict';
require('tsx/cjs');
const { main } = require('../main/cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`bpfdbg: internal error: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 70; },
);
