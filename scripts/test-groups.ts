import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { parseArgs } from 'node:util'

/**
 * `npm test` runs the test files in groups, several files in one process:
 * `tsx scripts/test-groups.ts [--exclude pattern]… [--only pattern]… [-- tap options]`.
 *
 * Why: tap gives every test file a process of its own, and a process that imports the app
 * costs about 2.5 CPU-seconds before its first test (tap's process tracker and the
 * TypeScript loader each see every module that loads). With some 200 files, that was a
 * third of CI's CPU time; run as one process, the twelve dashboard files took 54 CPU-s
 * instead of 93 (measured on this project's two-core CI machine, 2026-12-04).
 *
 * A group is files of one folder, imported in turn by a generated file under test/.groups/PID/:
 * their top-level tests register on tap's root test and run one after the other, as they
 * would alone. Every test builds its own app and database, so files share only the module
 * cache. A failure's report names the test file and line (tap's `at:`). Files that drive a
 * browser hold one for the whole group, so their groups are small. `npx tap test/x.test.ts`
 * still runs one file alone, and plain `npx tap` every file in a process of its own.
 *
 * A pattern is a path relative to the checkout, either a file or a folder ending in `/**`,
 * with alternatives in braces as tap's --exclude takes them (`test/{e2e/**,config.test.ts}`).
 */

const root = join(import.meta.dirname, '..')
const testDir = join(root, 'test')
// A folder per run, so that two runs in one checkout (SQLite and PostgreSQL side by side)
// never rewrite each other's groups; removed when the run ends.
const groupDir = join(testDir, '.groups', String(process.pid))

const { values, positionals } = parseArgs({
  options: { exclude: { type: 'string', multiple: true, default: [] }, only: { type: 'string', multiple: true, default: [] } },
  allowPositionals: true,
})

/** `test/{e2e/**,config.test.ts}` → `test/e2e/**`, `test/config.test.ts` (the form tap's --exclude takes). */
function expandBraces(pattern: string): string[] {
  const brace = /^(.*?)\{([^{}]*)\}(.*)$/.exec(pattern)
  if (!brace) return [pattern]
  return brace[2]!.split(',').flatMap((choice) => expandBraces(`${brace[1]}${choice}${brace[3]}`))
}

function matches(file: string, pattern: string): boolean {
  return expandBraces(pattern).some((one) => (one.endsWith('/**') ? file.startsWith(one.slice(0, -2)) : file === one))
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'artifacts' && entry.name !== 'loader')
    .flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return testFiles(path)
      return entry.name.endsWith('.test.ts') ? [relative(root, path).split(sep).join('/')] : []
    })
    .sort()
}

const files = testFiles(testDir).filter(
  (file) => !values.exclude.some((pattern) => matches(file, pattern)) && (values.only.length === 0 || values.only.some((pattern) => matches(file, pattern))),
)

// Files that start a Chromium hold it until their group ends; a few at a time.
const drivesBrowser = (file: string) => file.startsWith('test/e2e/') || file === 'test/hostile/browser.test.ts'
const maxFiles = (members: string[]) => (members.some(drivesBrowser) ? 3 : 6)
// A rough cost, to start the longest groups first and so end both jobs at about the same
// time: the size of the test's source, browser files counted double.
const weights = new Map(files.map((file) => [file, statSync(join(root, file)).size * (drivesBrowser(file) ? 2 : 1)]))
const weight = (file: string) => weights.get(file)!

interface Group {
  name: string
  files: string[]
  weight: number
}

const byFolder = new Map<string, string[]>()
for (const file of files) {
  const folder = file.slice('test/'.length, file.lastIndexOf('/')).replaceAll('/', '-') || 'top'
  byFolder.set(folder, [...(byFolder.get(folder) ?? []), file])
}
// Folders of one or two files share groups ("mixed"), so that no process runs a lone small file.
const mixed = [...byFolder].filter(([, members]) => members.length < 3 && !members.some(drivesBrowser))
for (const [folder] of mixed) byFolder.delete(folder)
if (mixed.length > 0) byFolder.set('mixed', mixed.flatMap(([, members]) => members))
const groups: Group[] = []
for (const [folder, members] of byFolder) {
  const size = maxFiles(members)
  const count = Math.ceil(members.length / size)
  // Spread a folder's files evenly over its groups (by weight, largest first).
  const parts: Group[] = Array.from({ length: count }, (_, index) => ({ name: count === 1 ? folder : `${folder}-${index + 1}`, files: [], weight: 0 }))
  for (const file of [...members].sort((a, b) => weight(b) - weight(a))) {
    const lightest = parts.filter((part) => part.files.length < size).sort((a, b) => a.weight - b.weight)[0]!
    lightest.files.push(file)
    lightest.weight += weight(file)
  }
  for (const part of parts) part.files.sort()
  groups.push(...parts)
}
groups.sort((a, b) => b.weight - a.weight)

mkdirSync(groupDir, { recursive: true })
const groupFiles = groups.map((group, index) => {
  const path = join(groupDir, `${String(index + 1).padStart(2, '0')}-${group.name}.ts`)
  // Each file alone had tap's four minutes (.taprc); files that set their own root timeout
  // set it while they are imported, so the group's, set last, is the one that holds.
  const timeout = Math.min(group.files.length * 240_000, 1_200_000)
  writeFileSync(
    path,
    [
      '// Generated by scripts/test-groups.ts (npm test): these test files in one process.',
      "import t from 'tap'",
      ...group.files.map((file) => `import '${relative(groupDir, join(root, file)).split(sep).join('/')}'`),
      `t.setTimeout(${timeout})`,
      '',
    ].join('\n'),
  )
  return relative(root, path)
})

console.log(`# ${files.length} test files in ${groups.length} processes (scripts/test-groups.ts)`)
for (const [index, group] of groups.entries()) console.log(`#   ${groupFiles[index]}: ${group.files.join(' ')}`)

const tap = spawn(join(root, 'node_modules', '.bin', 'tap'), [...positionals, ...groupFiles], { cwd: root, stdio: 'inherit' })
tap.on('exit', (code, signal) => {
  rmSync(groupDir, { recursive: true, force: true })
  process.exit(code ?? (signal ? 1 : 0))
})
