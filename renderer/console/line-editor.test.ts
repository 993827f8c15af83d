// @vitest-environment happy-dom
// The console command line: editing, history and submission from raw terminal key data.
import { describe, expect, it } from 'vitest';
import { LineEditor } from './line-editor';

const ESC = String.fromCharCode(27);
const UP = `${ESC}[A`;
const DOWN = `${ESC}[B`;
const LEFT = `${ESC}[D`;

describe('LineEditor', () => {
  it('echoes typed text and submits on Enter', () => {
    const e = new LineEditor('> ');
    expect(e.feed('ab')).toEqual({ echo: 'ab' });
    expect(e.feed('\r')).toEqual({ echo: '\r\n', submitted: 'ab' });
    expect(e.line).toBe('');
  });

  it('edits in the middle of the line and redraws', () => {
    const e = new LineEditor('> ');
    e.feed('acd');
    e.feed(LEFT + LEFT);
    const r = e.feed('b');
    expect(e.line).toBe('abcd');
    expect(r.echo).toBe(`\r${ESC}[2K> abcd${ESC}[2D`);
    e.feed('\x7f');
    expect(e.line).toBe('acd');
    expect(e.feed('\r').submitted).toBe('acd');
  });

  it('walks history with up and down, keeping the draft', () => {
    const e = new LineEditor('> ');
    e.feed('one\r');
    e.feed('two\r');
    e.feed('two\r');
    expect(e.entries).toEqual(['one', 'two']);
    e.feed('dra');
    e.feed(UP);
    expect(e.line).toBe('two');
    e.feed(UP + UP + UP);
    expect(e.line).toBe('one');
    e.feed(DOWN + DOWN);
    expect(e.line).toBe('dra');
  });

  it('Ctrl+C abandons the line; blank lines are not history', () => {
    const e = new LineEditor('> ');
    e.feed('junk');
    expect(e.feed('\x03').echo).toBe('^C\r\n> ');
    expect(e.line).toBe('');
    e.feed('   \r');
    expect(e.entries).toEqual([]);
  });
});
