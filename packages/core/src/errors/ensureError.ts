/** Turns anything thrown into an `Error`, keeping the original as `cause` when it was not one. */
export function ensureError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'object' && thrown !== null && 'message' in thrown) {
    const error = new Error(String(thrown.message), { cause: thrown });
    if ('name' in thrown && typeof thrown.name === 'string') error.name = thrown.name;
    return error;
  }
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${safeString(thrown)}`, {
    cause: thrown,
  });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
