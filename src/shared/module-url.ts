// Locates a sibling module for Worker/Piscina entry points both when running compiled
// JavaScript (dist/*.js) and TypeScript source under tsx (src/*.ts, tests).

/** The URL of `relative` (written with a .js extension) resolved against `base`, as .ts when base is a .ts module. */
export function siblingModuleUrl(base: string, relative: string): URL {
  const url = new URL(relative, base);
  if (base.endsWith('.ts') && url.pathname.endsWith('.js')) {
    url.pathname = url.pathname.slice(0, -3) + '.ts';
  }
  return url;
}
