// The PDF worker's entry point. A worker thread runs the main thread's `--import` preloads
// on Node 20.20 (so `npm start`'s tsx, or the tests' loader, is already there), but not
// every Node 20 release did: when this thread cannot load TypeScript yet, it registers tsx
// itself. Registering tsx on top of an existing loader would transpile the same files a
// second, different way (and spoil the tests' coverage, which merges by file).
try {
  await import('./pdf-worker.ts')
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error
  const { register } = await import('tsx/esm/api')
  register()
  // The failed import stays in the module map under its URL, so the retry asks for the
  // file under another one (what it imports in turn was never loaded, so it loads afresh).
  await import('./pdf-worker.ts?tsx')
}
