import { loadConfig } from './config.ts'
import { exitOnStartError, start } from './start.ts'

/** Reads the configuration, migrates, listens, and closes gracefully on a signal. */
Promise.resolve()
  .then(() => start(loadConfig()))
  .catch(exitOnStartError)
