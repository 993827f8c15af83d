// The window's security policy: isolation and sandbox on, Node off, a CSP without eval or inline scripts, only our own frames trusted.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY, isExternalLink, isTrustedRendererUrl, webPreferences } from './security';

describe('Electron security policy', () => {
  it('isolates and sandboxes the renderer with Node off', () => {
    expect(webPreferences('/app/out/preload/index.js')).toMatchObject({
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
    });
  });

  it('has a strict CSP', () => {
    const d = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1).join(' ')]));
    expect(d['default-src']).toBe("'none'");
    expect(d['script-src']).toBe("'self'");
    expect(d['object-src']).toBe("'none'");
    expect(d['frame-ancestors']).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*|http:/);
  });

  it('the page carries the same kind of policy as a meta tag (file:// loads get no response headers)', () => {
    const html = readFileSync(path.join(__dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(meta).toContain("default-src 'none'");
    expect(meta).toContain("script-src 'self';");
    expect(meta).toContain("object-src 'none'");
    expect(meta).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('trusts only frames from the renderer directory (or the dev server when unpackaged)', () => {
    const rendererDir = path.resolve('/app/out/renderer');
    const ours = pathToFileURL(path.join(rendererDir, 'index.html')).href;
    const packaged = { rendererDir, packaged: true, devUrl: 'http://localhost:5173' };
    expect(isTrustedRendererUrl(ours, packaged)).toBe(true);
    expect(isTrustedRendererUrl(`${ours}#x`, packaged)).toBe(true);
    for (const url of ['file:///etc/passwd', pathToFileURL('/app/out/renderer-evil/index.html').href, `${pathToFileURL(rendererDir).href}/../main/x.html`, 'http://localhost:5173/', 'https://evil.example/', '', 'about:blank']) {
      expect(isTrustedRendererUrl(url, packaged), url).toBe(false);
    }
    expect(isTrustedRendererUrl('http://localhost:5173/index.html', { ...packaged, packaged: false })).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', { ...packaged, packaged: false })).toBe(false);
  });

  it('opens only plain https links externally', () => {
    expect(isExternalLink('https://docs.kernel.org/bpf/')).toBe(true);
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com', 'smb://host/share', 'not a url']) {
      expect(isExternalLink(url), url).toBe(false);
    }
  });
});
