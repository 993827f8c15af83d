// bpfdbg verify for 2013 "bpf\0" images: the seed-003 bpf_check profile (engine/verifier/ebpf2013), with the
// log lines as the seed prints them, exit 0 accept / 1 reject, and the quirks faithful-legacy mode reproduced.
import { formatDiagnostic } from '../../../engine/isa';
import { loadImage2013 } from '../../../engine/obj/image-2013';
import { verify2013, type Mode2013 } from '../../../engine/verifier';
import { EXIT, type CliIO } from '../io';

export const PROFILES_2013: readonly Mode2013[] = ['hardened', 'faithful-legacy'];

export interface Verify2013CliOptions {
  readonly file: string;
  readonly profile: Mode2013;
  readonly json: boolean;
  /** 0 prints no log; 1 and 2 print the seed's lines (it has one log level). */
  readonly logLevel: 0 | 1 | 2;
}

/** Loads the image with the profile's loader rules, verifies it, prints the result; returns the exit code. */
export function verifyImage2013(bytes: Uint8Array, opts: Verify2013CliOptions, io: CliIO): number {
  const img = loadImage2013(bytes, { file: opts.file, mode: opts.profile });
  for (const d of img.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
  // Instructions the 2013 ISA lacks are diagnosed above but still verified: bpf_check decides about them
  // (faithful-legacy accepts some, as the seed did; hardened rejects them).
  if (!img.image) return EXIT.INPUT_ERROR;
  const r = verify2013(img.image, { mode: opts.profile, keepStatesPerInsn: 0 });
  const log = opts.logLevel === 0 ? '' : r.log.map((l) => `${l}\n`).join('');
  if (opts.json) {
    const error = r.error ? { insn: r.error.insn, message: r.error.message, errno: r.error.errno, code: r.error.code } : null;
    io.stdout(`${JSON.stringify({ verdict: r.verdict, error, processed: r.processed, log, dialect: 'ebpf-2013', profile: r.mode, quirks: r.quirks })}\n`);
  } else {
    io.stdout(log);
    if (r.error && !r.error.printed) io.stderr(`bpfdbg verify: ${r.error.message} (errno ${r.error.errno}; the 2013 verifier prints no message for it)\n`);
    for (const q of r.quirks) io.stderr(`bpfdbg verify: quirk ${q.rule} at insn ${q.insn}: ${q.message}\n`);
  }
  return r.verdict === 'accept' ? EXIT.OK : EXIT.INPUT_ERROR;
}
