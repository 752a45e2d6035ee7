// A bounded queue between producers (push, which waits when full) and one async-iterating consumer.

/** Merges several producers into one stream with backpressure. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly spaceWaiters: (() => void)[] = [];
  private itemWaiter: (() => void) | null = null;
  private closed = false;
  private error: unknown = null;

  constructor(private readonly capacity = 16) {}

  /** Adds an item; resolves once there is room (the consumer's pace is the producers' pace). */
  async push(item: T): Promise<void> {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
    while (this.items.length > this.capacity && !this.closed) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    }
  }

  /** No more items will come. */
  close(): void {
    this.closed = true;
    this.wake();
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  /** Ends the stream with an error (the consumer throws it after draining nothing more). */
  fail(err: unknown): void {
    if (this.error === null) this.error = err;
    this.close();
  }

  private wake(): void {
    const w = this.itemWaiter;
    this.itemWaiter = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.error !== null) throw this.error;
      const item = this.items.shift();
      if (item !== undefined) {
        this.spaceWaiters.shift()?.();
        yield item;
        continue;
      }
      if (this.closed) {
        if (this.error !== null) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.itemWaiter = r));
    }
  }
}
