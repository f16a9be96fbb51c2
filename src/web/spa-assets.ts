// The built single-page app (vite build → dist/web/ui/), read into memory on first use and served
// from there: index.html for /view/ and /admin/, hashed files under assets/. Nothing is fetched
// from the internet at run time. When the app was not built, index lookups return undefined and the
// server shows a page that says how to build it; the directory is looked at again next time.

import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SpaAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Hashed file names never change content: cache them for a year. */
  readonly immutable: boolean;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The command that builds the app; shown on the "not built" page. */
export const spaBuildCommand = 'vite build --config src/web/ui/vite.config.ts';

/** dist/web/ui/ from src/web/ (tsx) and dist/web/ (build) alike. */
export function defaultSpaDir(): string {
  return fileURLToPath(new URL('../../dist/web/ui/', import.meta.url));
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export class SpaAssets {
  readonly dir: string;
  #files: Promise<Map<string, SpaAsset> | undefined> | undefined;

  constructor(dir: string = defaultSpaDir()) {
    this.dir = dir;
  }

  /** A file by its path relative to the app root (`index.html`, `assets/x.js`); undefined if absent. */
  async get(rel: string): Promise<SpaAsset | undefined> {
    const files = await this.#load();
    return files?.get(rel);
  }

  #load(): Promise<Map<string, SpaAsset> | undefined> {
    this.#files ??= this.#read().then((m) => {
      if (m === undefined) this.#files = undefined; // not built yet: look again next time
      return m;
    });
    return this.#files;
  }

  async #read(): Promise<Map<string, SpaAsset> | undefined> {
    let paths: string[];
    try {
      paths = await walk(this.dir);
    } catch {
      return undefined;
    }
    const files = new Map<string, SpaAsset>();
    for (const p of paths) {
      const rel = relative(this.dir, p).split(sep).join('/');
      files.set(rel, {
        body: await readFile(p),
        contentType: contentTypes[extname(p)] ?? 'application/octet-stream',
        immutable: rel.startsWith('assets/'),
      });
    }
    return files.has('index.html') ? files : undefined;
  }
}

/** The page served instead of the app when it was not built. */
export function notBuiltPage(dir: string): string {
  return (
    '<!doctype html><meta charset="utf-8"><title>maglevd-frontend: dashboard not built</title>' +
    '<body style="font-family:sans-serif;max-width:40em;margin:3em auto">' +
    '<h1>Dashboard not built</h1>' +
    `<p>The single-page app was not found in <code>${escapeHtml(dir)}</code>.</p>` +
    `<p>Build it with <code>npm run build</code> (which runs <code>${spaBuildCommand}</code>), then reload this page.</p>` +
    '<p>The JSON API under <code>/view/api/</code> works without it.</p></body>'
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
