import { PassThrough, type Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { isStickerFormat } from './layouts.ts'
import { addPosterPages, addPosterSticker, newPosterDocument, type PosterContent, type PrintOptions } from './poster-pdf.ts'

/**
 * How much finished PDF may wait for a slow reader before drawing pauses. pdfkit writes
 * each page's objects as soon as the next page starts and keeps nothing of it, so with
 * this cap memory stays flat however many posters a batch has.
 */
const maxBuffered = 1024 * 1024

/**
 * Many posters as one PDF, streamed while it is drawn: every poster of an activity, a
 * partner or a region, in one format and language.
 *
 * Drawing a page is synchronous CPU work (20–40 ms with the embedded font), so the loop
 * gives the event loop a turn after every poster: a citizen's request that arrives during
 * a 200-poster batch waits at most one page, not the whole batch.
 *
 * Errors end the stream with that error; a reader that goes away (the browser cancels
 * the download) stops the drawing.
 */
export function streamPosterBatch(posters: Iterable<PosterContent> | AsyncIterable<PosterContent>, options: PrintOptions, title: string): Readable {
  const output = new PassThrough()
  const doc = newPosterDocument(title)
  doc.pipe(output)
  const stopped = () => output.destroyed || output.writableEnded

  /** Resolves when the reader has taken enough of the finished PDF, or has gone away. */
  const readerCaughtUp = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (doc.readableLength > maxBuffered && !stopped()) return
        doc.off('data', check)
        output.off('close', check)
        resolve()
      }
      doc.on('data', check)
      output.on('close', check)
      check()
    })

  async function draw(): Promise<void> {
    let label = 0
    let pages = 0
    for await (const poster of posters) {
      if (stopped()) break
      if (isStickerFormat(options.format) && options.stickers === 'one') label = addPosterSticker(doc, poster, options, label)
      else addPosterPages(doc, poster, options)
      pages++
      await nextTurn()
      if (doc.readableLength > maxBuffered) await readerCaughtUp()
    }
    if (stopped()) {
      doc.unpipe(output)
      return
    }
    // An empty batch still has to be a valid PDF: pdfkit cannot end a document without a page.
    if (pages === 0) doc.addPage()
    doc.end()
  }

  draw().catch((error: unknown) => output.destroy(error as Error))
  return output
}

/**
 * The most posters one batch PDF holds. A batch is drawn at 20–40 ms a poster in the
 * worker; 200 posters are 4–8 s of drawing and a file of a few megabytes, a size a
 * browser downloads and a printer queue takes in one go. A larger batch (a whole region)
 * is offered in numbered parts of this size, each its own PDF.
 */
export const maxPostersPerPdf = 200
