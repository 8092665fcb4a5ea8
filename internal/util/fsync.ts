import { closeSync, fsyncSync, openSync } from 'node:fs';

/** fsyncs a file or a directory (a rename in a directory survives power loss only after this; etcd #6368). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
