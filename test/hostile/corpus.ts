import { readFileSync } from 'node:fs'

/**
 * The known-bad inputs of corpus.txt: one per line, `#` comments, `\uXXXX` decoded, and
 * `\r` / `\n` written as such so that a line can hold a line break.
 */
export function loadCorpus(): string[] {
  return readFileSync(new URL('./corpus.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) =>
      line
        .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
        .replace(/\\r/g, '\r')
        .replace(/\\n/g, '\n'),
    )
}
