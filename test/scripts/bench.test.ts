import t from 'tap'
import { describeStatuses, formatTable, judge, type Measurement, toResults } from '../../scripts/bench/report.ts'

function measured(name: string, value: number, p99Ms: number, extra: Partial<Measurement> = {}): Measurement {
  return { name, unit: 'req/s', value, p99Ms, errors: 0, total: Math.round(value * 5), ...extra }
}

t.test('results.json has the shape of issue 2, with ratios to hello_world of the same run', async (t) => {
  const results = toResults([
    measured('hello_world', 21000.4, 4.123),
    measured('form_get', 12000, 7.04),
    measured('answer_post', 3400, 30.2),
    { name: 'sqlite_insert', unit: 'rows/s', value: 52000, p99Ms: 5.8, errors: 0, total: 260000 },
  ])
  t.same(results, {
    results: [
      { name: 'hello_world', unit: 'req/s', value: 21000, p99_ms: 4.1 },
      { name: 'form_get', unit: 'req/s', value: 12000, p99_ms: 7, ratio: 0.57 },
      { name: 'answer_post', unit: 'req/s', value: 3400, p99_ms: 30.2, ratio: 0.16 },
      { name: 'sqlite_insert', unit: 'rows/s', value: 52000, p99_ms: 5.8 },
    ],
  })
  t.notOk('ratio' in toResults([measured('form_get', 12000, 7)]).results[0]!, 'no ratio without hello_world')
})

t.test('targets: form page at half of hello_world, durable answers at 3000 req/s under 50 ms', async (t) => {
  const outcome = (ms: Measurement[]) => judge(ms).map((v) => `${v.outcome} ${v.label}`)
  t.same(outcome([measured('hello_world', 10000, 5), measured('form_get', 5000, 9), measured('answer_post', 3000, 49.9)]), [
    'PASS form_get ≥ 50 % of hello_world req/s',
    'PASS answer_post ≥ 3000 req/s',
    'PASS answer_post p99 < 50 ms',
    'SKIP dashboard rollups cost answer_post ≤ 20 % of answer_post_no_rollups',
  ])
  t.same(outcome([measured('hello_world', 10000, 5), measured('form_get', 4999, 9), measured('answer_post', 2999, 50)]), [
    'FAIL form_get ≥ 50 % of hello_world req/s',
    'FAIL answer_post ≥ 3000 req/s',
    'FAIL answer_post p99 < 50 ms',
    'SKIP dashboard rollups cost answer_post ≤ 20 % of answer_post_no_rollups',
  ])
  t.same(outcome([measured('form_get', 9000, 9)]), ['SKIP form_get ≥ 50 % of hello_world req/s'], 'the ratio needs hello_world in the same run')
})

t.test('targets of the dashboards: the rollups price on the answer route, and per data shape p95 at 1M, no growth with the total, every view under 1 s', async (t) => {
  const outcome = (ms: Measurement[]) => judge(ms).filter((v) => !v.label.startsWith('answer_post')).map((v) => `${v.outcome} ${v.label}`)
  const ms = (name: string, value: number): Measurement => ({ name, unit: 'ms', value, p99Ms: value, errors: 0, total: 60 })
  t.same(outcome([measured('answer_post', 4000, 20), measured('answer_post_no_rollups', 5000, 15), ms('dashboard_100k/one-week', 25), ms('dashboard_1m/one-week', 50)]), [
    'PASS dashboard rollups cost answer_post ≤ 20 % of answer_post_no_rollups',
    'PASS dashboard_100k/one-week worst view p95 ≤ 50 ms',
    'PASS dashboard_100k/one-week every view < 1 s',
    'PASS dashboard_1m/one-week worst view p95 ≤ 50 ms',
    'PASS dashboard_1m/one-week every view < 1 s',
    'PASS dashboard_1m/one-week within 2× dashboard_100k/one-week',
  ])
  t.same(outcome([measured('answer_post', 3999, 20), measured('answer_post_no_rollups', 5000, 15), ms('dashboard_100k/no-quotes', 20), ms('dashboard_1m/no-quotes', 1089)]), [
    'FAIL dashboard rollups cost answer_post ≤ 20 % of answer_post_no_rollups',
    'PASS dashboard_100k/no-quotes worst view p95 ≤ 50 ms',
    'PASS dashboard_100k/no-quotes every view < 1 s',
    'FAIL dashboard_1m/no-quotes worst view p95 ≤ 50 ms',
    'FAIL dashboard_1m/no-quotes every view < 1 s',
    'FAIL dashboard_1m/no-quotes within 2× dashboard_100k/no-quotes',
  ], 'a slow shape fails its own lines, the others are judged on their own')
  t.same(outcome([ms('dashboard_100k/one-poster', 51), ms('dashboard_1m/languages', 40)]), [
    'FAIL dashboard_100k/one-poster worst view p95 ≤ 50 ms',
    'PASS dashboard_100k/one-poster every view < 1 s',
    'PASS dashboard_1m/languages worst view p95 ≤ 50 ms',
    'PASS dashboard_1m/languages every view < 1 s',
    'SKIP dashboard_1m/languages within 2× dashboard_100k/languages',
  ])
})

t.test('the CPU time per request goes into results.json and the table', async (t) => {
  const results = toResults([measured('hello_world', 20000, 4, { cpuUsPerRequest: 13.4 }), measured('form_get', 10000, 7, { cpuUsPerRequest: 41.6 })])
  t.same(results.results.map((r) => r.cpu_us), [13, 42])
  t.match(formatTable([measured('form_get', 10000, 7, { cpuUsPerRequest: 41.6 })]), /cpu µs\/req[\s\S]*form_get\s+10,000\s+req\/s\s+7\.0\s+42/)
})

t.test('a fast run of error pages does not pass', async (t) => {
  const failing = measured('answer_post', 9000, 3, { errors: 120, total: 45120, errorDetail: describeStatuses({ 303: 45000, 429: 120 }, 303) })
  const [verdict] = judge([failing])
  t.equal(verdict?.outcome, 'FAIL')
  t.match(verdict?.reason, /120 failed requests \(429×120\)/)
  t.match(formatTable([failing]), /answer_post\s+9,000\s+req\/s\s+3\.0\s+120\/45120 429×120/)
})
