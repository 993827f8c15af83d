// Command-line argument parsing for bpfdbg sub-commands: declared flags in, typed values or a usage error out.

export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--syntax llvm`, `--syntax=llvm`) or is a boolean switch. */
  readonly value: boolean;
  /** Allowed values, checked when given. */
  readonly choices?: readonly string[];
  /** Short alias such as "-o". */
  readonly alias?: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const byAlias = new Map(Object.entries(spec).filter(([, s]) => s.alias).map(([n, s]) => [s.alias!, n]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else {
      const n = byAlias.get(a);
      if (!n) throw new UsageError(`unknown option ${a}`);
      name = n;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (!s.value) {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`option --${name} needs a value`);
    if (s.choices && !s.choices.includes(v)) throw new UsageError(`option --${name} must be one of ${s.choices.join(', ')} (got ${JSON.stringify(v)})`);
    flags.set(name, v);
  }
  return { positionals, flags };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
