// Module hooks for test/loader/register.mjs: TypeScript files are transpiled by esbuild,
// one file at a time (type-only imports dropped, types erased, nothing bundled). Imports
// name their .ts file in full (tsconfig's allowImportingTsExtensions), so resolving needs
// no help; everything else goes to Node's own loader.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'

const typescript = /\.(ts|mts)$/

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !typescript.test(new URL(url).pathname)) return nextLoad(url, context)
  const path = fileURLToPath(url)
  const { code } = await transform(await readFile(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcemap: 'inline',
    sourcefile: path,
    // Class names and function names stay as written (stack traces, `constructor.name`).
    keepNames: true,
  })
  return { format: 'module', source: code, shortCircuit: true }
}
