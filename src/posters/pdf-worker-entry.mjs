// The PDF worker's entry point. Node 20 does not pass the main thread's TypeScript loader
// (tsx, or tap's in tests) on to worker threads, so the worker registers tsx itself and
// then loads the TypeScript module.
import { register } from 'tsx/esm/api'

register()
await import('./pdf-worker.ts')
