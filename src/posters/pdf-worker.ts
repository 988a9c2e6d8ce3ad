import { constants, setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import { streamPosterBatch } from './batch.ts'
import { warmPosterFont } from '../pdf/fonts.ts'
import { posterPdf } from './poster-pdf.ts'
import type { WorkerReply, WorkerRequest } from './pdf-renderer.ts'

/**
 * The thread that draws PDFs (see pdf-renderer.ts for why). It serves any number of jobs
 * at once; each batch pauses when the main thread says its reader is full.
 */
const port = parentPort!
const paused = new Map<number, () => void>()
const pausedIds = new Set<number>()
const cancelled = new Set<number>()

function send(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer)
}

function chunkOf(buffer: Buffer): { bytes: Uint8Array; transfer: ArrayBuffer } {
  // A copy we own, so that its memory moves to the main thread instead of being copied again.
  const bytes = new Uint8Array(buffer.length)
  bytes.set(buffer)
  return { bytes, transfer: bytes.buffer as ArrayBuffer }
}

async function batch(request: Extract<WorkerRequest, { kind: 'batch' }>): Promise<void> {
  const stream = streamPosterBatch(request.posters, request.options, request.title)
  for await (const chunk of stream) {
    if (cancelled.has(request.id)) {
      stream.destroy()
      break
    }
    const { bytes, transfer } = chunkOf(chunk as Buffer)
    send({ id: request.id, kind: 'chunk', bytes }, [transfer])
    if (pausedIds.has(request.id)) await new Promise<void>((resolve) => paused.set(request.id, resolve))
  }
  if (!cancelled.has(request.id)) send({ id: request.id, kind: 'end' })
}

async function handle(request: WorkerRequest): Promise<void> {
  if (request.kind === 'pause') {
    pausedIds.add(request.id)
    return
  }
  if (request.kind === 'resume' || request.kind === 'cancel') {
    if (request.kind === 'cancel') cancelled.add(request.id)
    pausedIds.delete(request.id)
    paused.get(request.id)?.()
    paused.delete(request.id)
    return
  }
  try {
    if (request.kind === 'poster') {
      const { bytes, transfer } = chunkOf(await posterPdf(request.poster, request.options))
      send({ id: request.id, kind: 'chunk', bytes }, [transfer])
      send({ id: request.id, kind: 'end' })
    }
    if (request.kind === 'batch') await batch(request)
  } catch (error) {
    send({ id: request.id, kind: 'error', message: error instanceof Error ? error.message : String(error) })
  } finally {
    cancelled.delete(request.id)
    pausedIds.delete(request.id)
  }
}

// On Linux a nice value belongs to a thread: this lowers the drawing thread only, so that
// when both cores are busy the scheduler serves the citizens' event loop first.
try {
  setPriority(constants.priority.PRIORITY_LOW)
} catch {
  // Not allowed here (some containers): the worker still keeps the event loop free.
}

port.on('message', (request: WorkerRequest) => void handle(request))
warmPosterFont()
send({ id: 0, kind: 'ready' })
