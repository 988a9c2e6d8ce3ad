/**
 * What every PDF this app draws shares (posters, batches, the dashboard report): pdfkit
 * writes a document as a stream; the routes send it as one buffer, so that a failure while
 * drawing is an error page rather than half a file.
 */

/** Collects a finished document into one buffer. */
export function documentBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    doc.end()
  })
}
