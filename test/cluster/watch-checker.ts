// Watch property checker (raft-and-testing.md §c): every watch stream is compared with the
// authoritative history replayed from the committed log (reference-replay.ts).
//
// Per stream: W1 ordered, W2 unique, W3 atomic (a revision never spans two batches), W4 reliable (no
// gaps: the stream equals the history filtered by its prefix), W5 resumable (a stream started after
// revision R begins exactly at the first matching event > R), W6 progress (batch revisions never
// decrease; no event at or below an announced progress revision), W7 prevKv / create, W8 consistent
// with the history, W10 no event at or below the start revision, and no claim of progress past the
// end of the committed history.

import type { WatchEvent } from '../../internal/storage/index.js';
import type { CheckEvent } from './reference-replay.js';

const decoder = new TextDecoder();

export interface WatchStreamRecord {
  id: number;
  client: number;
  node: number;
  prefix: string;
  /** The stream delivers changes with revision > afterRevision. */
  afterRevision: number;
  /** Batches in delivery order; an empty batch is a progress notification. */
  batches: { revision: number; events: CheckEvent[] }[];
}

export interface WatchViolation {
  stream: number;
  message: string;
}

export function toCheckEvent(ev: WatchEvent): CheckEvent {
  const out: CheckEvent = {
    revision: ev.kv.modRevision,
    key: ev.kv.key,
    type: ev.type,
    value: ev.type === 'delete' ? '' : decoder.decode(ev.kv.value),
    createRevision: ev.kv.createRevision,
    version: ev.kv.version,
  };
  if (ev.prevKv) {
    const p = ev.prevKv;
    out.prev = { value: decoder.decode(p.value), modRevision: p.modRevision, createRevision: p.createRevision, version: p.version };
  }
  return out;
}

function show(e: CheckEvent | undefined): string {
  if (!e) return 'nothing';
  const prev = e.prev ? ` prev=${e.prev.value}@${e.prev.modRevision}/c${e.prev.createRevision}/v${e.prev.version}` : ' prev=none';
  return `${e.type} ${e.key}=${e.value}@${e.revision}/c${e.createRevision}/v${e.version}${prev}`;
}

function same(a: CheckEvent, b: CheckEvent): boolean {
  return show(a) === show(b);
}

/** Structural properties of one stream that need no history: ordering, uniqueness, atomicity, progress. */
function checkShape(s: WatchStreamRecord, report: (m: string) => void): void {
  let lastEvent = s.afterRevision;
  let lastBatch = 0;
  s.batches.forEach((b, i) => {
    if (b.revision < lastBatch) report(`batch ${i} revision ${b.revision} < previous batch revision ${lastBatch}`);
    let first = true;
    for (const e of b.events) {
      if (e.revision <= s.afterRevision) report(`batch ${i}: event at ${e.revision} <= start revision ${s.afterRevision}: ${show(e)}`);
      else if (first && e.revision === lastEvent) report(`batch ${i}: revision ${e.revision} split across batches or duplicated: ${show(e)}`);
      else if (e.revision < lastEvent || (!first && e.revision === lastEvent)) report(`batch ${i}: event at ${e.revision} after ${lastEvent}: ${show(e)}`);
      else if (e.revision <= lastBatch) report(`batch ${i}: event at ${e.revision} after progress to ${lastBatch}: ${show(e)}`);
      if (e.revision > b.revision) report(`batch ${i}: event at ${e.revision} above the batch revision ${b.revision}`);
      lastEvent = Math.max(lastEvent, e.revision);
      first = false;
    }
    lastBatch = Math.max(lastBatch, b.revision);
  });
}

/**
 * Checks every stream against `history` (all committed events, revisions 1..N in order).
 * Returns the violations, at most `maxPerStream` per stream.
 */
export function checkWatches(streams: readonly WatchStreamRecord[], history: readonly CheckEvent[], maxPerStream = 3): WatchViolation[] {
  const out: WatchViolation[] = [];
  const head = history.length === 0 ? 0 : history[history.length - 1]!.revision;
  for (const s of streams) {
    let count = 0;
    const report = (m: string) => {
      if (count++ < maxPerStream) out.push({ stream: s.id, message: `watch ${s.id} (client ${s.client}, node ${s.node}, prefix ${JSON.stringify(s.prefix)}, after ${s.afterRevision}): ${m}` });
    };
    checkShape(s, report);
    const covered = s.batches.reduce((m, b) => Math.max(m, b.revision, ...b.events.map((e) => e.revision)), s.afterRevision);
    if (covered > head) report(`claims revision ${covered} but the committed history ends at ${head}`);
    const expected = history.filter((e) => e.revision > s.afterRevision && e.revision <= covered && e.key.startsWith(s.prefix));
    const got = s.batches.flatMap((b) => b.events);
    for (let i = 0; i < Math.max(expected.length, got.length); i++) {
      const want = expected[i];
      const have = got[i];
      if (want && have && same(want, have)) continue;
      if (want && (!have || have.revision > want.revision)) report(`gap: missing ${show(want)} (next delivered: ${show(have)})`);
      else if (have && (!want || have.revision < want.revision)) report(`unexpected event ${show(have)} (history has ${show(want)})`);
      else report(`event differs from history at revision ${want!.revision}: got ${show(have)}, want ${show(want)}`);
      break;
    }
  }
  return out;
}
