import { EventEmitter } from 'node:events';
import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { heldUntilAnswered } from './api-handler.js';

/** A reply whose raw response closes when the test says (what a streamed list does after its last slice). */
function fakeReply(closed = false) {
  const raw = Object.assign(new EventEmitter(), { closed });
  return { reply: { raw } as unknown as FastifyReply, close: () => ((raw.closed = true), raw.emit('close')) };
}

describe('a seat held until the request is answered', () => {
  it('is released once the handler finished and the response is out, in either order, once', () => {
    for (const order of [['handler', 'response'], ['response', 'handler']]) {
      let released = 0;
      const { reply, close } = fakeReply();
      const handlerDone = heldUntilAnswered(reply, () => released++);
      for (const step of order) {
        expect(released).toBe(0);
        if (step === 'handler') handlerDone();
        else close();
      }
      expect(released).toBe(1);
      handlerDone();
      close();
      expect(released).toBe(1);
    }
  });

  it('counts a response already closed (the client went away while the request waited for its seat)', () => {
    let released = 0;
    const { reply } = fakeReply(true);
    heldUntilAnswered(reply, () => released++)();
    expect(released).toBe(1);
  });
});
