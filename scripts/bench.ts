import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { benchmarks, targetPool } from './bench/benchmarks.ts'
import { seedShapes } from './seed-large.ts'
import { formatTable, formatVerdicts, judge, type Measurement, toResults } from './bench/report.ts'

/**
 * `npm run bench [-- --only form_get,answer_post] [--duration 5] [--db sqlite|postgres]`
 *
 * Starts the app (fresh database, one poster) and a bare Fastify hello-world, each in a
 * child process, drives them with autocannon over loopback, prints a table and the
 * targets of issue 2, and writes bench/results.json. A missed target is reported, not an
 * exit code: numbers on a shared 2-core machine are noisy.
 */

const usage = `usage: npm run bench -- [--only name,name] [--duration seconds] [--warmup seconds] [--connections n] [--db sqlite|postgres] [--out file] [--profile dir] [--size 100k|1m|both] [--shapes name,name]
benchmarks:
${benchmarks.map((b) => `  ${b.name.padEnd(14)} ${b.description}`).join('\n')}
Each server is primed with 4 s of GET load when it starts (not with --warmup 0), and each benchmark runs --warmup seconds (default 1) before it is measured.
--db postgres uses a fresh schema in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); sqlite_insert is always SQLite.
--profile dir writes a V8 CPU profile of each HTTP benchmark's measured run (in its server) to dir/NAME.cpuprofile (open it in Chrome's DevTools for a flame graph); \`tsx scripts/bench/profile-top.ts dir/NAME.cpuprofile\` lists the functions with the most self time.
--size picks the dashboard benchmarks (100k by default; 1m seeds a million answers per data shape, minutes each); --shapes the data shapes (${seedShapes.join(', ')}).
With --profile the sampling itself costs the server CPU: compare CPU µs per request from runs without it.`

const names = benchmarks.map((b) => b.name)

const flags = z.object({
  only: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((name) => name.trim()).filter(Boolean) : names))
    .refine((list) => list.every((name) => names.includes(name)), { message: `takes names from: ${names.join(', ')}` }),
  duration: z.coerce.number().positive().max(600).default(5),
  warmup: z.coerce.number().min(0).max(60).default(1),
  connections: z.coerce.number().int().min(1).max(1000).default(50),
  db: z.enum(['sqlite', 'postgres']).default('sqlite'),
  out: z.string().default('bench/results.json'),
  profile: z.string().optional(),
  size: z.enum(['100k', '1m', 'both']).default('100k'),
  shapes: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((name) => name.trim()).filter(Boolean) : undefined))
    .refine((list) => list === undefined || list.every((name) => (seedShapes as readonly string[]).includes(name)), { message: `takes names from: ${seedShapes.join(', ')}` }),
  help: z.boolean().optional(),
})

async function main() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      db: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      size: { type: 'string' },
      shapes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const parsed = flags.safeParse(values)
  if (!parsed.success || parsed.data.help) {
    if (!parsed.success) console.error(parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n'))
    console.error(usage)
    process.exit(parsed.success ? 0 : 2)
  }
  const options = parsed.data
  // Seeding a million answers takes minutes on two cores: the 1M dashboard (per data shape)
  // and the 1M planning page run when asked for (`--size 1m`, `--size both`, or by name in --only).
  const named = values.only !== undefined
  const sizeOf = (name: string) => (/_1m$/.test(name) ? '1m' : /_100k$/.test(name) ? '100k' : undefined)
  const sized = (name: string) => {
    const size = sizeOf(name)
    return named || size === undefined || options.size === 'both' || options.size === size
  }
  const chosen = benchmarks.filter((b) => options.only.includes(b.name) && sized(b.name))

  const pool = targetPool(options)
  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU'
  const loadBefore = loadavg()[0]!
  const measurements: Measurement[] = []
  try {
    console.log(`bench: ${chosen.length} benchmarks, ${options.duration} s each after ${options.warmup} s warm-up, ${options.connections} connections, ${options.db}`)
    // Other work on the machine moves every figure: say how busy it was.
    console.log(`       load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (${cpuModel})`)
    for (const benchmark of chosen) {
      process.stdout.write(`  ${benchmark.name} … `)
      const measured = [await benchmark.run({ ...options, target: pool.target })].flat()
      measurements.push(...measured)
      console.log(measured.map((m) => `${measured.length > 1 ? `${m.name} ` : ''}${Math.round(m.value)} ${m.unit}${m.errors > 0 ? ` (${m.errors} errors)` : ''}`).join(', '))
    }
  } finally {
    await pool.stopAll()
  }

  console.log(`\n${formatTable(measurements)}\n`)
  for (const m of measurements) if (m.detail) console.log(`  ${m.name}: ${m.detail}`)
  console.log(`load average after the run: ${loadavg()[0]!.toFixed(1)}\n`)
  const verdicts = judge(measurements)
  if (verdicts.length > 0) console.log(`${formatVerdicts(verdicts)}\n`)

  mkdirSync(dirname(options.out), { recursive: true })
  // The machine beside the figures: req/s depends on it and on the load; CPU µs per request much less.
  const machine = { cpu: cpuModel, cores: availableParallelism(), load_before: round1(loadBefore), load_after: round1(loadavg()[0]!) }
  writeFileSync(options.out, `${JSON.stringify({ ...toResults(measurements), machine }, null, 2)}\n`)
  console.log(`wrote ${options.out}`)
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}

main().catch((error: unknown) => {
  console.error('bench failed:', error)
  process.exit(1)
})
