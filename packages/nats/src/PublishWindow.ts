/**
 * Bounds the publishes awaiting their acks, by count and by bytes. Room is handed out first come, first served;
 * a message larger than the byte bound still goes, alone. Shared by every publish of one bus.
 */
export class PublishWindow {
  private messages = 0;
  private bytes = 0;
  private readonly waiting: Array<{ bytes: number; resolve: () => void }> = [];

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1) {
      throw new RangeError(`publishes in flight must be a positive integer, got ${maxMessages}`);
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`publish bytes in flight must be a positive integer, got ${maxBytes}`);
    }
  }

  /**
   * Takes room for one publish of `bytes`: undefined when it was free (the common case, without a promise), or a
   * promise that resolves once it is taken. Every take is paired with one {@link release} of the same bytes.
   */
  take(bytes: number): Promise<void> | undefined {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.add(bytes);
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push({ bytes, resolve }));
  }

  release(bytes: number): void {
    this.messages--;
    this.bytes -= bytes;
    for (let next = this.waiting[0]; next !== undefined && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift();
      this.add(next.bytes);
      next.resolve();
    }
  }

  private fits(bytes: number): boolean {
    return this.messages < this.maxMessages && (this.messages === 0 || this.bytes + bytes <= this.maxBytes);
  }

  private add(bytes: number): void {
    this.messages++;
    this.bytes += bytes;
  }
}
