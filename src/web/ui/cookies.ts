// The page's two cookies: the selected scope, and which frontend cards are open (closed
// by default). Path `/` so /view/ and /admin/ share them; a year's lifetime; SameSite=Lax.

const scopeCookie = 'maglev-scope';
const openCookie = 'maglev-open';

function read(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function write(name: string, value: string): void {
  document.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

export function savedScope(): string | undefined {
  return read(scopeCookie);
}

export function saveScope(name: string): void {
  write(scopeCookie, name);
}

/** The key of one card: scope and frontend, since names repeat across maglevds. */
export function cardKey(scope: string, frontend: string): string {
  return `${scope}/${frontend}`;
}

export function savedOpenCards(): Set<string> {
  const raw = read(openCookie);
  if (raw === undefined || raw === '') return new Set();
  try {
    const list = JSON.parse(raw) as unknown;
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function saveOpenCards(open: ReadonlySet<string>): void {
  write(openCookie, JSON.stringify([...open]));
}
