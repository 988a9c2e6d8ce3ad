import { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import { streamPosterBatch } from './batch.ts'
import { warmPosterFont } from '../pdf/fonts.ts'
import { type PosterContent, posterPdf, type PrintOptions } from './poster-pdf.ts'

export type WorkerRequest =
  | { id: number; kind: 'poster'; poster: PosterContent; options: PrintOptions }
  | { id: number; kind: 'batch'; posters: PosterContent[]; options: PrintOptions; title: string }
  | { id: number; kind: 'pause' | 'resume' | 'cancel' }

export type WorkerReply =
  | { id: number; kind: 'chunk'; bytes: Uint8Array }
  | { id: number; kind: 'end' | 'ready' }
  | { id: number; kind: 'error'; message: string }

/**
 * Draws poster PDFs off the event loop that serves citizens.
 *
 * Why a worker thread: drawing a page is 10–40 ms of synchronous CPU. Yielding between
 * pages is not enough: measured here under load, a 200-poster batch drawn on the main
 * thread pushed the citizen form's p99 from 12 ms to 69 ms, because every request that
 * arrives mid-page waits for that page. In a worker the batch uses the second core and
 * the form keeps its latency. One long-lived worker serves all jobs (starting one costs
 * about half a second for the font), started on first use.
 *
 * `inline: true` draws on the calling thread instead (scripts, or tests that count pages).
 */
export class PdfRenderer {
  readonly #inline: boolean
  #worker: Worker | undefined
  #ready: Promise<void> | undefined
  #nextId = 1
  readonly #jobs = new Map<number, { push(bytes: Uint8Array): void; end(): void; fail(error: Error): void }>()

  constructor(options: { inline?: boolean } = {}) {
    this.#inline = options.inline ?? false
  }

  #start(): Promise<void> {
    if (this.#ready) return this.#ready
    const worker = new Worker(new URL('./pdf-worker-entry.mjs', import.meta.url))
    this.#worker = worker
    // An idle renderer must not keep a finished process alive.
    worker.unref()
    this.#ready = new Promise((resolve, reject) => {
      worker.once('error', reject)
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') return resolve()
        const job = this.#jobs.get(reply.id)
        if (job === undefined) return
        if (reply.kind === 'chunk') job.push(reply.bytes)
        else if (reply.kind === 'end') {
          this.#jobs.delete(reply.id)
          job.end()
        } else if (reply.kind === 'error') {
          this.#jobs.delete(reply.id)
          job.fail(new Error(reply.message))
        }
      })
    })
    worker.on('error', (error) => this.#failAll(error))
    worker.on('exit', (code) => {
      this.#failAll(new Error(`the PDF worker stopped (exit code ${code})`))
      this.#worker = undefined
      this.#ready = undefined
    })
    return this.#ready
  }

  #failAll(error: Error): void {
    for (const job of this.#jobs.values()) job.fail(error)
    this.#jobs.clear()
  }

  #post(request: WorkerRequest): void {
    this.#worker?.postMessage(request)
  }

  /** Pays the font's one-time cost now (a server calls this when it starts). */
  async warmUp(): Promise<void> {
    if (this.#inline) warmPosterFont()
    else await this.#start()
  }

  /** One poster's PDF. */
  async poster(poster: PosterContent, options: PrintOptions): Promise<Buffer> {
    if (this.#inline) return posterPdf(poster, options)
    await this.#start()
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      const parts: Uint8Array[] = []
      this.#jobs.set(id, { push: (bytes) => parts.push(bytes), end: () => resolve(Buffer.concat(parts)), fail: reject })
      this.#post({ id, kind: 'poster', poster, options })
    })
  }

  /**
   * Many posters in one PDF, as a stream. The worker pauses when the reader falls behind
   * (the stream's buffer is full) and stops when the reader goes away.
   */
  batch(posters: PosterContent[], options: PrintOptions, title: string): Readable {
    if (this.#inline) return streamPosterBatch(posters, options, title)
    const id = this.#nextId++
    let paused = false
    let finished = false
    const renderer = this
    const output = new Readable({
      highWaterMark: 1024 * 1024,
      read() {
        if (paused) {
          paused = false
          renderer.#post({ id, kind: 'resume' })
        }
      },
      destroy(error, callback) {
        if (!finished) {
          renderer.#jobs.delete(id)
          renderer.#post({ id, kind: 'cancel' })
        }
        callback(error)
      },
    })
    this.#jobs.set(id, {
      push: (bytes) => {
        if (!output.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) && !paused) {
          paused = true
          this.#post({ id, kind: 'pause' })
        }
      },
      end: () => {
        finished = true
        output.push(null)
      },
      fail: (error) => {
        finished = true
        output.destroy(error)
      },
    })
    this.#start().then(
      () => this.#post({ id, kind: 'batch', posters, options, title }),
      (error: Error) => output.destroy(error),
    )
    return output
  }

  async close(): Promise<void> {
    const worker = this.#worker
    this.#worker = undefined
    this.#ready = undefined
    if (worker) await worker.terminate()
  }
}
