import t from 'tap'
import { pooledRandomBytes } from '../../src/auth/tokens.ts'

t.test('pooled random bytes are fresh for every caller, across pool refills', async (t) => {
  const seen = new Set<string>()
  // 4 KB pool, 12-byte draws: 2,000 draws cross several refills and a draw that does not fit the rest.
  for (let i = 0; i < 2000; i++) {
    const bytes = pooledRandomBytes(12)
    t.equal(bytes.length, 12)
    seen.add(bytes.toString('hex'))
  }
  t.equal(seen.size, 2000, 'no draw repeats another')
  t.equal(pooledRandomBytes(5000).length, 5000, 'a request larger than the pool still gets its bytes')
})

t.test('a caller that writes into its bytes does not change the next draw', async (t) => {
  const first = pooledRandomBytes(16)
  const copy = Buffer.from(first)
  first.fill(0)
  const second = pooledRandomBytes(16)
  t.not(second.toString('hex'), '0'.repeat(32))
  t.not(second.toString('hex'), copy.toString('hex'))
})
