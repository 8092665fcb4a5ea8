import type { KubeObject } from '../../api/index.js';

/**
 * The JSON of list items, made once per stored object and reused by every later list that serves
 * the same object (one stored object is one resourceVersion: a write makes a new one). A LIST of
 * thousands of objects spent most of its time in JSON.stringify, for the same unchanged objects
 * every time. The memo holds UTF-8 bytes, ready for the socket and outside the JS heap.
 *
 * A list's items are fresh shallow objects (callers may change them); the memo is reached only
 * through the item a list made, and the apiserver encodes a list's items before anything else sees
 * them. The memo only holds frozen stored objects (the shared watch cache's); every other item is
 * encoded each time. The bytes are bounded together: past ITEM_JSON_BUDGET bytes every memo starts
 * afresh (a big cluster listed in JSON then costs what it did before, not more memory).
 */
export const ITEM_JSON_BUDGET = 64 << 20;

/** How a list made an item: from which stored object, and the memo of that item shape. */
interface ItemSource {
  stored: KubeObject;
  memo: ItemJsonMemo;
}

const sources = new WeakMap<object, ItemSource>();
let generation = 0;
let bytes = 0;

/** One list shape's memo (one per resource definition: the same stored object lists differently per version). */
export class ItemJsonMemo {
  private texts = new WeakMap<KubeObject, Buffer>();
  private generation = generation;

  constructor(private readonly budget = ITEM_JSON_BUDGET) {}

  /** Notes that `item` is `stored` as this shape lists it (only frozen stored objects are remembered). */
  note(item: object, stored: KubeObject): void {
    if (Object.isFrozen(stored)) sources.set(item, { stored, memo: this });
  }

  bytes(stored: KubeObject, item: object): Buffer {
    if (this.generation !== generation) {
      this.texts = new WeakMap();
      this.generation = generation;
    }
    let b = this.texts.get(stored);
    if (b === undefined) {
      b = Buffer.from(JSON.stringify(item));
      bytes += b.length;
      if (bytes > this.budget) {
        generation++;
        bytes = b.length;
        this.texts = new WeakMap();
        this.generation = generation;
      }
      this.texts.set(stored, b);
    }
    return b;
  }
}

/**
 * The JSON of a list item (exactly JSON.stringify(item)'s text): memoized UTF-8 bytes when a list
 * noted the item, else the text.
 */
export function itemJson(item: unknown): string | Buffer {
  const src = typeof item === 'object' && item !== null ? sources.get(item) : undefined;
  return src ? src.memo.bytes(src.stored, item as object) : (JSON.stringify(item) ?? 'null');
}
