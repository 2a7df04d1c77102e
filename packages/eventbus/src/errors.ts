/** Base of every error the bus raises or understands: a stable code, a cause, and whether a retry may help. */
export class BusError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: { cause?: unknown; retryable: boolean }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
  }
}

/** The message can never be processed (undecodable, invalid, unknown version): term it and copy it to the DLQ. */
export class PermanentError extends BusError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { cause, retryable: false });
  }
}

/** A transient failure: the message is nak'ed and redelivered after `delayMs` (or the consumer's backoff). */
export class RetryableError extends BusError {
  readonly delayMs: number | undefined;
  constructor(code: string, message: string, options: { cause?: unknown; delayMs?: number } = {}) {
    super(code, message, { cause: options.cause, retryable: true });
    this.delayMs = options.delayMs;
  }
}

export function isPermanent(err: unknown): boolean {
  return err instanceof BusError && !err.retryable;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
