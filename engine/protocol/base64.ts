// Base64 for file bytes on the wire: the protocol carries bytes as text so every transport sends the same JSON.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    //  a: aaaaaaaa  b: bbbbbbbb  c: cccccccc  ->  aaaaaa aabbbb bbbbcc cccccc
    chunk += ALPHABET[a >> 2] + ALPHABET[((a & 3) << 4) | (b >> 4)]
      + (i + 1 < bytes.length ? ALPHABET[((b & 15) << 2) | (c >> 6)] : '=')
      + (i + 2 < bytes.length ? ALPHABET[c & 63] : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Decodes base64 (the validator has already checked the alphabet and padding); undefined if it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  const at = (i: number): number => {
    const ch = text.charCodeAt(i);
    return ch === 61 /* '=' */ && i >= text.length - pad ? 0 : ch < 128 ? VALUE[ch] : -1;
  };
  for (let i = 0; i < text.length; i += 4) {
    const v0 = at(i), v1 = at(i + 1), v2 = at(i + 2), v3 = at(i + 3);
    if ((v0 | v1 | v2 | v3) < 0) return undefined;
    const n = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
