/** A single progress line on stderr, rewritten in place on a terminal and printed sparingly otherwise. */
export function progressLine(enabled: boolean): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      if (!enabled) return;
      const now = Date.now();
      if (!tty && now - last < 1000) return;
      last = now;
      shown = true;
      process.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
    },
    done() {
      if (enabled && tty && shown) process.stderr.write('\n');
    },
  };
}
