export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000 };

/** Exponential backoff for the n-th attempt (1-based) with "equal jitter": half fixed, half random. */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
