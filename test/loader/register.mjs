// The tests' TypeScript loader (.taprc: --import=./test/loader/register.mjs).
//
// Why not tsx, which `npm start` uses: tsx transpiles with esbuild's minifyWhitespace,
// so a whole module becomes one or two lines, and V8's coverage of such a line maps back
// to every source line at once: every file reported 100 % covered (tsx issues #433 and
// #558). The same esbuild, without minifying, keeps the lines, and its inline source map
// gives tap's coverage report the TypeScript lines.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
