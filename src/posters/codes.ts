import { randomInt } from 'node:crypto'

/**
 * Poster codes: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U),
 * upper case so that the URL in the QR stays in alphanumeric mode (smaller symbol,
 * easier to scan). 30^6 ≈ 729 million codes.
 */
export const codeAlphabet = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'
const codeLength = 6
const codePattern = new RegExp(`^[${codeAlphabet}]{${codeLength}}$`)

export function generateCode(): string {
  let code = ''
  for (let i = 0; i < codeLength; i++) code += codeAlphabet[randomInt(codeAlphabet.length)]
  return code
}

/** `k7m2qx`, ` K7M-2QX ` → `K7M2QX`; anything that cannot be a code → undefined. */
export function normalizeCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, '').toUpperCase()
  return codePattern.test(code) ? code : undefined
}
