import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * An append-only log file that rotates as upstream's (lumberjack) does: when a line would take the
 * file past maxBytes, the file is renamed to `<name>-<UTC time>.<ext>` and a new one started; only
 * the newest maxBackups rotated files are kept (0 = keep all). maxBytes 0 = never rotate.
 * Writes are synchronous so an event is on disk (in the page cache) before its response is sent.
 */
export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly maxBackups: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(line: string): void {
    const buf = Buffer.from(line.endsWith('\n') ? line : `${line}\n`);
    if (this.maxBytes > 0 && this.size > 0 && this.size + buf.length > this.maxBytes) this.rotate();
    writeSync(this.fd, buf);
    this.size += buf.length;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The rotated files, oldest first. */
  backups(): string[] {
    const { stem, ext } = this.parts();
    const dir = dirname(this.path);
    return readdirSync(dir)
      .filter((f) => f.startsWith(`${stem}-`) && f.endsWith(ext) && f !== basename(this.path))
      .sort()
      .map((f) => join(dir, f));
  }

  private parts() {
    const ext = extname(this.path);
    return { ext, stem: basename(this.path, ext) };
  }

  private rotate(): void {
    closeSync(this.fd);
    const { stem, ext } = this.parts();
    const stamp = this.now().toISOString().replace(/:/g, '-').replace('Z', '');
    let target = join(dirname(this.path), `${stem}-${stamp}${ext}`);
    for (let i = 1; this.backups().includes(target); i++) target = join(dirname(this.path), `${stem}-${stamp}.${i}${ext}`);
    renameSync(this.path, target);
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
    if (this.maxBackups > 0) for (const old of this.backups().slice(0, -this.maxBackups)) rmSync(old, { force: true });
  }
}
