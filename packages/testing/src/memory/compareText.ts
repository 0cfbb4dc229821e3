/**
 * Orders strings as SQLite's BINARY collation and PostgreSQL's `COLLATE "C"` do: by the bytes of their UTF-8,
 * which is code point order. Plain `<` compares UTF-16 code units instead, which puts a character above U+FFFF
 * (a surrogate pair) before one in U+E000–U+FFFF.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (D800–DFFF) above the rest of the BMP (E000–FFFF), as the code points they encode are. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
