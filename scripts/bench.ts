import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { benchmarks, targetPool } from './bench/benchmarks.ts'
import { formatTable, formatVerdicts, judge, type Measurement, toResults } from './bench/report.ts'

/**
 * `npm run bench [-- --only form_get,answer_post] [--duration 5] [--db sqlite|postgres]`
 *
 * Starts the app (fresh database, one poster) and a bare Fastify hello-world, each in a
 * child process, drives them with autocannon over loopback, prints a table and the
 * targets of issue 2, and writes bench/results.json. A missed target is reported, not an
 * exit code: numbers on a shared 2-core machine are noisy.
 */

const usage = `usage: npm run bench -- [--only name,name] [--duration seconds] [--warmup seconds] [--connections n] [--db sqlite|postgres] [--out file]
benchmarks:
${benchmarks.map((b) => `  ${b.name.padEnd(14)} ${b.description}`).join('\n')}
Each server is primed with 4 s of GET load when it starts (not with --warmup 0), and each benchmark runs --warmup seconds (default 1) before it is measured.
--db postgres uses a fresh schema in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); sqlite_insert is always SQLite.`

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
  const chosen = benchmarks.filter((b) => options.only.includes(b.name))

  const pool = targetPool(options)
  const measurements: Measurement[] = []
  try {
    console.log(`bench: ${chosen.length} benchmarks, ${options.duration} s each after ${options.warmup} s warm-up, ${options.connections} connections, ${options.db}`)
    // Other work on the machine moves every figure: say how busy it was.
    console.log(`       load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`)
    for (const benchmark of chosen) {
      process.stdout.write(`  ${benchmark.name} … `)
      const measurement = await benchmark.run({ ...options, target: pool.target })
      measurements.push(measurement)
      console.log(`${Math.round(measurement.value)} ${measurement.unit}${measurement.errors > 0 ? ` (${measurement.errors} errors)` : ''}`)
    }
  } finally {
    await pool.stopAll()
  }

  console.log(`\n${formatTable(measurements)}\n`)
  console.log(`load average after the run: ${loadavg()[0]!.toFixed(1)}\n`)
  const verdicts = judge(measurements)
  if (verdicts.length > 0) console.log(`${formatVerdicts(verdicts)}\n`)

  mkdirSync(dirname(options.out), { recursive: true })
  writeFileSync(options.out, `${JSON.stringify(toResults(measurements), null, 2)}\n`)
  console.log(`wrote ${options.out}`)
}

main().catch((error: unknown) => {
  console.error('bench failed:', error)
  process.exit(1)
})
