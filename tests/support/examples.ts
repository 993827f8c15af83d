// Test access to the shipped example programs in resources/examples (C sources, objects, 2013 images).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLES_DIR = join(__dirname, '..', '..', 'resources', 'examples');

export function exampleBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(EXAMPLES_DIR, name)));
}

export function exampleText(name: string): string {
  return readFileSync(join(EXAMPLES_DIR, name), 'utf8');
}
