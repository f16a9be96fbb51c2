// One-shot `maglevc ?`, `maglevc show ?`, `maglevc sh?` and `maglevc help [words]`: the line the
// shell's `?` help would answer for, or undefined when the words are a command to run. `help`
// is not a node of the command tree (the tree stays the real commands); it only asks for help.

/** The partial line to show `?` help for (as the shell sees it before the `?`), or undefined. */
export function helpLine(words: readonly string[]): string | undefined {
  const last = words.at(-1);
  if (words[0] === 'help') return words.slice(1).map((w) => `${w} `).join('');
  if (last === '?') return words.slice(0, -1).map((w) => `${w} `).join('');
  if (last?.endsWith('?') === true) return [...words.slice(0, -1), last.slice(0, -1)].join(' ');
  return undefined;
}
