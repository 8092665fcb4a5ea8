/**
 * Controller expectations (upstream's ControllerExpectations): after a controller asks for N
 * creations or deletions it does nothing more for that key until its informer has seen them, so
 * a watch that lags behind the writes never makes it create (or delete) twice for one slot. An
 * expectation older than the TTL is treated as met, so a lost event cannot wedge a controller.
 */
export class Expectations {
  private readonly byKey = new Map<string, { add: number; del: Set<string>; at: number }>();
  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  expect(key: string, creates: number, deleteUids: string[] = []): void {
    this.byKey.set(key, { add: creates, del: new Set(deleteUids), at: this.now() });
  }

  /** An informer saw a create for `key` (or a create was refused and never will be seen). */
  created(key: string): void {
    const e = this.byKey.get(key);
    if (e && e.add > 0) e.add--;
  }

  /** An informer saw `uid` deleted or marked for deletion (or the delete call failed). */
  deleted(key: string, uid: string): void {
    this.byKey.get(key)?.del.delete(uid);
  }

  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if ((e.add <= 0 && e.del.size === 0) || this.now() - e.at > this.ttlMs) {
      this.byKey.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
