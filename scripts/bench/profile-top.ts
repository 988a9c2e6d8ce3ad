import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

/**
 * `tsx scripts/bench/profile-top.ts FILE.cpuprofile [--top 30]`: the functions with the most
 * self time in a V8 CPU profile (written by `npm run bench -- --profile dir`), with their
 * share of the profile's non-idle samples. A flame graph shows where time goes by call
 * path; this shows which function to make cheaper, which is the question on the hot path.
 */

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export function selfTimes(profile: Profile): { name: string; micros: number; share: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const micros = new Map<string, number>()
  let busy = 0
  profile.samples.forEach((id, index) => {
    const node = byId.get(id)
    if (!node) return
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || functionName === '(program)') return
    const where = url ? `${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : ''
    const name = `${functionName || '(anonymous)'} ${where}`.trim()
    const delta = profile.timeDeltas[index] ?? 0
    micros.set(name, (micros.get(name) ?? 0) + delta)
    busy += delta
  })
  return [...micros.entries()].map(([name, time]) => ({ name, micros: time, share: time / busy })).sort((a, b) => b.micros - a.micros)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const topAt = args.indexOf('--top')
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 30
  for (const file of args) {
    const rows = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile)
    console.log(`\n${file}`)
    for (const row of rows.slice(0, top)) console.log(`${(row.share * 100).toFixed(1).padStart(5)} %  ${(row.micros / 1000).toFixed(0).padStart(6)} ms  ${row.name}`)
  }
}
