// The Electron window's security policy as data: web preferences, CSP, which senders and URLs are trusted.
//
// Kept free of runtime Electron imports so the policy itself is unit-tested; index.ts applies it.
import type { WebPreferences } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The page's policy, sent as a header for everything the session loads (index.html carries the same as a meta tag). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // xterm injects a <style> element; no inline scripts, no eval.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The renderer runs with no Node, in a sandbox, isolated from the preload's world. */
export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface RendererOrigin {
  /** Directory holding the packaged renderer (out/renderer). */
  readonly rendererDir: string;
  /** The dev server's URL (electron-vite dev), trusted only when the app is not packaged. */
  readonly devUrl?: string;
  readonly packaged: boolean;
}

/** Whether a frame URL is our renderer: a file inside the renderer directory, or the dev server in development. */
export function isTrustedRendererUrl(url: string, origin: RendererOrigin): boolean {
  if (!origin.packaged && origin.devUrl) {
    try {
      if (new URL(url).origin === new URL(origin.devUrl).origin) return true;
    } catch {
      return false;
    }
  }
  const base = pathToFileURL(path.resolve(origin.rendererDir) + path.sep).href;
  return url.startsWith(base) && !url.slice(base.length).split(/[?#]/)[0].split('/').includes('..');
}

/** Links the page may hand to the user's browser (never opened inside the app): https only. */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
