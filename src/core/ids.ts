import { randomBytes } from 'node:crypto';

/**
 * Readable, sortable ids: `an-20261125-130512-k3x9`. The time part sorts by creation; the
 * random part keeps two ids made in the same second apart. Safe in file and branch names.
 */
export function newId(prefix: 'an' | 'plan' | 'run', now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const random = randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);
  return `${prefix}-${stamp}-${random}`;
}
