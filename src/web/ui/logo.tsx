// The IPng mark in the header, linking to the project; the same drawing as the favicon.

import type { JSX } from 'solid-js';

export const projectUrl = 'https://git.ipng.ch/ipng/vpp-maglev';

export function Logo(): JSX.Element {
  return (
    <a class="logo" href={projectUrl} title="vpp-maglev by IPng Networks" target="_blank" rel="noopener noreferrer">
      <svg viewBox="0 0 64 64" width="32" height="32" aria-label="IPng">
        <rect width="64" height="64" rx="12" fill="#1f3b57" />
        <text x="32" y="42" font-family="Helvetica,Arial,sans-serif" font-size="26" font-weight="700" text-anchor="middle" fill="#ffffff">
          IPng
        </text>
        <rect x="10" y="48" width="44" height="4" rx="2" fill="#f5a623" />
      </svg>
    </a>
  );
}
