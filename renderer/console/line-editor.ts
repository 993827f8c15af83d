// The console's command line: turns terminal key data into edits, history moves and submitted lines, plus the text to redraw.
//
// Kept apart from xterm so it can be tested without a terminal: feed() takes what xterm's onData
// delivers (characters and VT escape sequences) and returns what to write back.

export interface Feed {
  /** Text to write to the terminal (redraws of the line, newlines). */
  readonly echo: string;
  /** A line the user submitted with Enter. */
  readonly submitted?: string;
}

const MAX_HISTORY = 500;
/** Cursor keys, Home, End and Delete as xterm sends them (ESC [ A ... ESC [ 3 ~). */
const CSI_KEY = new RegExp(`^${String.fromCharCode(27)}\\[(A|B|C|D|H|F|3~)`);

export class LineEditor {
  private buffer = '';
  private cursor = 0;
  private readonly history: string[] = [];
  /** Position while browsing history; history.length means the line being edited. */
  private browse = 0;
  private draft = '';

  constructor(readonly prompt: string) {}

  get line(): string {
    return this.buffer;
  }

  get entries(): readonly string[] {
    return this.history;
  }

  /** The whole input line redrawn, cursor placed: carriage return, clear line, prompt, text, cursor back. */
  redraw(): string {
    const back = this.buffer.length - this.cursor;
    return `\r\x1b[2K${this.prompt}${this.buffer}${back > 0 ? `\x1b[${back}D` : ''}`;
  }

  feed(data: string): Feed {
    let echo = '';
    let submitted: string | undefined;
    let i = 0;
    while (i < data.length) {
      const rest = data.slice(i);
      const esc = CSI_KEY.exec(rest);
      if (esc) {
        i += esc[0].length;
        this.key(esc[1]);
        echo += this.redraw();
        continue;
      }
      const ch = data[i++];
      if (ch === '\r' || ch === '\n') {
        submitted = this.buffer;
        if (submitted.trim() && this.history[this.history.length - 1] !== submitted) {
          this.history.push(submitted);
          if (this.history.length > MAX_HISTORY) this.history.shift();
        }
        this.buffer = '';
        this.cursor = 0;
        this.browse = this.history.length;
        echo += '\r\n';
        // Anything after Enter in the same chunk (a paste) is left for the next prompt.
        break;
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.cursor > 0) {
          this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor);
          this.cursor--;
        }
        echo += this.redraw();
      } else if (ch === '\x03') {
        this.buffer = '';
        this.cursor = 0;
        this.browse = this.history.length;
        echo += `^C\r\n${this.prompt}`;
      } else if (ch === '\x15') {
        this.buffer = this.buffer.slice(this.cursor);
        this.cursor = 0;
        echo += this.redraw();
      } else if (ch >= ' ' && ch !== '\x7f') {
        this.buffer = this.buffer.slice(0, this.cursor) + ch + this.buffer.slice(this.cursor);
        this.cursor++;
        echo += this.cursor === this.buffer.length ? ch : this.redraw();
      }
    }
    return submitted === undefined ? { echo } : { echo, submitted };
  }

  private key(k: string): void {
    if (k === 'A' || k === 'B') {
      if (this.browse === this.history.length) this.draft = this.buffer;
      this.browse = Math.max(0, Math.min(this.history.length, this.browse + (k === 'A' ? -1 : 1)));
      this.buffer = this.browse === this.history.length ? this.draft : this.history[this.browse];
      this.cursor = this.buffer.length;
    } else if (k === 'C') this.cursor = Math.min(this.buffer.length, this.cursor + 1);
    else if (k === 'D') this.cursor = Math.max(0, this.cursor - 1);
    else if (k === 'H') this.cursor = 0;
    else if (k === 'F') this.cursor = this.buffer.length;
    else if (k === '3~') this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
  }
}
