/** Markup that is already safe: inserted into a template as it is. */
export class Raw {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Marks text as markup, unescaped. Only for text this package wrote. */
export function raw(text: string): Raw {
  return new Raw(text);
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

type Part = Raw | string | number | boolean | null | undefined | ReadonlyArray<Part>;

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Raw) return part.text;
  if (Array.isArray(part)) return (part as ReadonlyArray<Part>).map(render).join('');
  return escapeHtml(String(part));
}

/**
 * A template of HTML whose interpolations are escaped, except {@link Raw} ones (and arrays of them, as nested
 * `html` templates give): `html\`<td>${name}</td>\``.
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Raw(out);
}
