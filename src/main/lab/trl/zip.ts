// A folder handed to a browser as one .zip download, written by fflate (deflate where it helps, UTF-8
// names, a fixed timestamp). It does not read archives.
import { zipSync, type Zippable } from 'fflate';

export interface ZipEntry {
  /** Path inside the archive, with forward slashes. */
  path: string;
  data: Uint8Array;
}

/** The entries as one .zip file, in the given order, dated `date`. */
export function zip(entries: readonly ZipEntry[], date = new Date()): Uint8Array {
  const files: Zippable = {};
  for (const e of entries) files[e.path.replace(/\\/g, '/')] = [e.data, { level: 6, mtime: date }];
  return zipSync(files);
}
