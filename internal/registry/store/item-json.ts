import type { KubeObject } from '../../api/index.js';

/**
 * The JSON text of list items, made once per stored object and reused by every later list that
 * serves the same object (one stored object is one resourceVersion: a write makes a new one). A
 * LIST of thousands of objects spent most of its time in JSON.stringify, for the same unchanged
 * objects every time.
 *
 * A list's items are fresh shallow objects (callers may change them); the memo is reached only
 * through the item a list made, and the apiserver encodes a list's items before anything else sees
 * them. The memo only holds frozen stored objects (the shared watch cache's); every other item is
 * encoded each time. The texts are bounded together: past ITEM_JSON_BUDGET characters every memo
 * starts afresh (a big cluster listed in JSON then costs what it did before, not more memory).
 */
export const ITEM_JSON_BUDGET = 64 << 20;

/** How a list made an item: from which stored object, and the memo of that item shape. */
interface ItemSource {
  stored: KubeObject;
  memo: ItemJsonMemo;
}

const sources = new WeakMap<object, ItemSource>();
let generation = 0;
let chars = 0;

/** One list shape's memo (one per resource definition: the same stored object lists differently per version). */
export class ItemJsonMemo {
  private texts = new WeakMap<KubeObject, string>();
  private generation = generation;

  constructor(private readonly budget = ITEM_JSON_BUDGET) {}

  /** Notes that `item` is `stored` as this shape lists it (only frozen stored objects are remembered). */
  note(item: object, stored: KubeObject): void {
    if (Object.isFrozen(stored)) sources.set(item, { stored, memo: this });
  }

  text(stored: KubeObject, item: object): string {
    if (this.generation !== generation) {
      this.texts = new WeakMap();
      this.generation = generation;
    }
    let t = this.texts.get(stored);
    if (t === undefined) {
      t = JSON.stringify(item);
      chars += t.length;
      if (chars > this.budget) {
        generation++;
        chars = t.length;
        this.texts = new WeakMap();
        this.generation = generation;
      }
      this.texts.set(stored, t);
    }
    return t;
  }
}

/** The JSON text of a list item (exactly JSON.stringify(item)'s), from the memo when a list noted it. */
export function itemJson(item: unknown): string {
  const src = typeof item === 'object' && item !== null ? sources.get(item) : undefined;
  return src ? src.memo.text(src.stored, item as object) : (JSON.stringify(item) ?? 'null');
}
