import { describe, expect, it } from 'vitest';
import { formatBytes } from './format';

describe('formatBytes', () => {
  it.each<[number, string]>([
    [0, '0 B'],
    [1023, '1,023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [182_345, '178 KB'],
    [10 * 1024 * 1024, '10 MB'],
    [1.25 * 1024 ** 3, '1.3 GB'],
    [3 * 1024 ** 4, '3 TB'],
    [5 * 1024 ** 5, '5,120 TB'],
  ])('%i bytes → %s (English)', (bytes, text) => {
    expect(formatBytes(bytes, 'en')).toBe(text);
  });

  it('uses the locale\'s number format', () => {
    expect(formatBytes(1536, 'de')).toBe('1,5 KB');
  });
});
