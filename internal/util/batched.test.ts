import { describe, expect, it } from 'vitest';
import { batched, batchesOf, isBatched } from './batched.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const turn = () => new Promise((r) => setImmediate(r));

describe('batched streams', () => {
  it('reads a batched stream either as events or as its own batches', async () => {
    const src = () =>
      (async function* () {
        yield [1, 2];
        yield [3];
      })();
    expect(await collect(batched(src))).toEqual([1, 2, 3]);
    expect(isBatched(batched(src))).toBe(true);
    expect(await collect(batchesOf(batched(src)))).toEqual([[1, 2], [3]]);
  });

  it('gathers a plain stream: each batch is what arrived since the consumer last asked', async () => {
    const queued: number[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    const plain = (async function* () {
      for (;;) {
        while (queued.length) yield queued.shift()!;
        if (finished) return;
        await new Promise<void>((r) => (wake = r));
      }
    })();
    const push = (...xs: number[]) => {
      queued.push(...xs);
      wake?.();
    };
    expect(isBatched(plain)).toBe(false);
    const it = batchesOf(plain)[Symbol.asyncIterator]();
    push(1);
    expect((await it.next()).value).toEqual([1]);
    push(2, 3);
    await turn();
    push(4);
    await turn();
    expect((await it.next()).value).toEqual([2, 3, 4]);
    finished = true;
    push();
    expect((await it.next()).done).toBe(true);
  });

  it('reads a plain stream at most readAhead events ahead of its consumer', async () => {
    let pulled = 0;
    const plain = (async function* () {
      for (;;) yield ++pulled;
    })();
    const it = batchesOf(plain, 5)[Symbol.asyncIterator]();
    const first = (await it.next()).value as number[];
    await turn();
    expect(pulled).toBe(first.length + 5);
    expect((await it.next()).value).toEqual([first.length + 1, first.length + 2, first.length + 3, first.length + 4, first.length + 5]);
    await turn();
    expect(pulled).toBe(first.length + 10);
    await it.return?.();
  });

  it('passes a plain stream\'s failure on after the events read before it', async () => {
    const plain = (async function* () {
      yield 1;
      throw new Error('boom');
    })();
    const it = batchesOf(plain)[Symbol.asyncIterator]();
    await turn();
    expect((await it.next()).value).toEqual([1]);
    await expect(it.next()).rejects.toThrow('boom');
  });
});
