import compress, { type FastifyCompressOptions } from '@fastify/compress'
import type { FastifyInstance } from 'fastify'

/**
 * Response compression, for the staff pages, their CSV files and the JSON API only
 * (registered inside those scopes in app.ts, never at the root).
 *
 * Staff pages are 30–60 KB of HTML (the dashboard has about a thousand elements) and
 * compress to a fifth or less; below 1 KB, or for PDFs and images (compressed already),
 * there is nothing to gain. The citizen pages are left out on purpose: they carry form
 * tickets and answer tokens next to text a person can steer, which is what a compression
 * side channel (BREACH) feeds on, and they fit the first round trip as they are
 * (docs/security.md, "Compression").
 *
 * Brotli at quality 4 (the plugin's default) costs about as much CPU as gzip and gives
 * smaller pages; gzip for the rest. Compressed request bodies are not accepted: no form
 * sends one, and inflating them would only open the door to a decompression bomb.
 */
const compressionOptions: FastifyCompressOptions = {
  global: true,
  globalDecompression: false,
  threshold: 1024,
  encodings: ['br', 'gzip'],
  customTypes: /^(?:text\/(?:html|csv|plain)|application\/json|image\/svg\+xml)(?:;|$)/,
}

export async function responseCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, compressionOptions)
}
