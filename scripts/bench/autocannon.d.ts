// The part of autocannon 9's API that scripts/bench uses (the package ships no types).
declare module 'autocannon' {
  export interface Histogram {
    average: number
    min: number
    max: number
    p50: number
    p90: number
    p99: number
  }

  export interface Request {
    method?: string
    path?: string
    body?: string
    headers?: Record<string, string>
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void
  }

  export interface Options {
    url: string
    connections?: number
    duration?: number
    method?: string
    body?: string
    headers?: Record<string, string>
    requests?: Request[]
    timeout?: number
  }

  export interface Result {
    requests: Histogram
    latency: Histogram
    /** Seconds. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    statusCodeStats: Record<string, { count: number }>
  }

  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
