import t from 'tap'
import {
  buildPerturbationTable,
  cellKey,
  D,
  K,
  KEY_RANGE,
  newRecordKey,
  PERTURBATION_TABLE,
  possibleOutputs,
  preimage,
  preimageWith as preimageWithTable,
  publish,
} from '../../src/answers/cell-key.ts'

const keys = Array.from({ length: KEY_RANGE }, (_, i) => i)

t.test('every count 0…500 under every cell key: 0 stays 0, nothing in 1…K−1, counts up to K publish 0 or K…K+D, larger counts move by at most D', async (t) => {
  let failures = 0
  for (let n = 0; n <= 500; n++) {
    for (const key of keys) {
      const p = publish(n, key)
      if (n === 0 && p !== 0) failures++
      if (p > 0 && p < K) failures++
      if (n > K && Math.abs(p - n) > D) failures++
      if (n > 0 && n <= K && p !== 0 && (p < K || p > K + D)) failures++
      if (publish(n, key) !== p) failures++ // the same cell publishes the same number
    }
  }
  t.equal(failures, 0)
})

t.test('each small count has at least two outcomes, and each outcome keeps at least two true counts possible', async (t) => {
  for (let n = 1; n < K; n++) t.ok(new Set(keys.map((key) => publish(n, key))).size >= 2, `n = ${n}`)
  for (let p = 0; p <= 500; p++) {
    const interval = preimage(p)
    if (p > 0 && p < K) {
      t.equal(interval, null, `${p} is never published`)
      continue
    }
    t.ok(interval !== null && interval[1] - interval[0] >= 1, `published ${p} → ${JSON.stringify(interval)}`)
  }
  // K is in the zero preimage, so a 0 never sits on the top of it for a true K − 1 (cell-key.ts)
  t.same(preimage(0), [0, K])
  t.same(preimage(K), [1, K + D])
})

t.test('the preimage of a published value is exactly the set of true counts that can produce it, and it is an interval', async (t) => {
  for (const table of [PERTURBATION_TABLE, buildPerturbationTable(K, 0), buildPerturbationTable(K, 2), buildPerturbationTable(K, 3), buildPerturbationTable(10, 2), buildPerturbationTable(10, 6)]) {
    const behind = new Map<number, Set<number>>()
    for (let n = 0; n <= 200; n++) for (const p of possibleOutputs(table, n)) behind.set(p, (behind.get(p) ?? new Set()).add(n))
    for (let p = 0; p <= 190; p++) {
      const ns = [...(behind.get(p) ?? [])].sort((a, b) => a - b)
      const interval = preimageWithTable(table, p)
      if (ns.length === 0) t.equal(interval, null)
      else t.same(interval, [ns[0], ns[ns.length - 1]], `k ${table.k} d ${table.d} p ${p}`)
      t.equal(ns.length, ns.length === 0 ? 0 : ns[ns.length - 1]! - ns[0]! + 1, 'no gaps')
    }
  }
})

t.test('the table: rows add up to 256 keys, rows up to K are unbiased within rounding, rows above K have zero mean', async (t) => {
  for (const row of PERTURBATION_TABLE.rows) {
    t.equal(row.outcomes.reduce((sum, o) => sum + o.keys, 0), KEY_RANGE, `row ${row.trueCount}`)
    const mean = row.outcomes.reduce((sum, o) => sum + o.published * o.keys, 0) / KEY_RANGE
    // K publishes 0 with the odds that bring its mean to K (cell-key.ts says why)
    if (row.trueCount <= K) t.ok(Math.abs(mean - row.trueCount) <= K / KEY_RANGE, `row ${row.trueCount}: mean ${mean}`)
    else t.equal(mean, row.trueCount)
  }
  t.equal(PERTURBATION_TABLE.k, K)
  t.equal(PERTURBATION_TABLE.d, D)
})

t.test('the same change for every large count: noise depends on the cell key only', async (t) => {
  for (const key of keys) t.equal(publish(1000, key) - 1000, publish(K + D, key) - (K + D))
})

t.test('cell keys from every shape a sum column comes back in', async (t) => {
  t.equal(cellKey(0), 0)
  t.equal(cellKey(null), 0)
  t.equal(cellKey(255), 255)
  t.equal(cellKey(256), 0)
  t.equal(cellKey(1000), 1000 % 256)
  t.equal(cellKey(12345678901234567890n), Number(12345678901234567890n % 256n))
  t.equal(cellKey('12345678901234567890'), Number(12345678901234567890n % 256n))
  t.equal(cellKey('513'), 1)
  for (const bad of [-1, 1.5, Number.NaN, '-3', '1e3', '', ' 5', -1n] as const) t.throws(() => cellKey(bad), RangeError, String(bad))
})

t.test('arguments off the table are refused', async (t) => {
  t.throws(() => publish(-1, 0), RangeError)
  t.throws(() => publish(1.5, 0), RangeError)
  t.throws(() => publish(3, 256), RangeError)
  t.throws(() => publish(3, -1), RangeError)
  t.throws(() => buildPerturbationTable(1, 2), RangeError)
  t.throws(() => buildPerturbationTable(5, -1), RangeError)
})

t.test('record keys are whole numbers 0…255 and all of them occur', async (t) => {
  const seen = new Set<number>()
  for (let i = 0; i < 20_000; i++) {
    const key = newRecordKey()
    if (!Number.isInteger(key) || key < 0 || key >= KEY_RANGE) t.fail(`bad key ${key}`)
    seen.add(key)
  }
  t.equal(seen.size, KEY_RANGE)
})
