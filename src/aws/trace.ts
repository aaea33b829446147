import { openSync, writeSync } from 'node:fs';
import type { MiddlewareStack } from '@smithy/types';
import { attemptsBefore } from './attempts.js';

/** One line of the `--trace` file (ARCHITECTURE §1 "Trace"). */
export interface TraceRecord {
  time: string;
  service: string;
  operation: string;
  region: string;
  durationMs: number;
  ok: boolean;
  error?: string;
  attempts: number;
}

const READ_ONLY = /^(Get|List|Describe|Head)/;

export function isReadOnlyOperation(operation: string): boolean {
  return READ_ONLY.test(operation);
}

/** Records every AWS call: to the trace file when one is given, and in memory for summaries. */
export class Tracer {
  readonly records: TraceRecord[] = [];
  /** Opened at the first call, so a command that calls nothing leaves no file; kept open after that. */
  private fd: number | undefined;
  constructor(private readonly file?: string) {}

  record(entry: TraceRecord): void {
    this.records.push(entry);
    if (!this.file) return;
    this.fd ??= openSync(this.file, 'a');
    // Written at once, line by line: a run killed half-way leaves every finished call in the file.
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  get changingCalls(): number {
    return this.records.filter((r) => !isReadOnlyOperation(r.operation)).length;
  }
}

interface MetadataBearer {
  $metadata?: { attempts?: number };
}

/** Adds the trace middleware to a client's stack. `service` is the lower-case service id. */
export function addTraceMiddleware(
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client has its own input/output union
  stack: MiddlewareStack<any, any>,
  tracer: Tracer,
  service: string,
  region: string,
): void {
  stack.add(
    (next, context) => async (args) => {
      const started = Date.now();
      const record = (ok: boolean, attempts: number | undefined, error?: string) => {
        const entry: TraceRecord = {
          time: new Date(started).toISOString(),
          service,
          operation: String(context.commandName ?? 'Unknown').replace(/Command$/, ''),
          region,
          durationMs: Date.now() - started,
          ok,
          attempts: attemptsBefore() + (attempts ?? 1),
        };
        if (error !== undefined) entry.error = error;
        tracer.record(entry);
      };
      try {
        const result = await next(args);
        record(true, (result.output as MetadataBearer | undefined)?.$metadata?.attempts);
        return result;
      } catch (error) {
        const e = error as { name?: string; Code?: string } & MetadataBearer;
        record(false, e.$metadata?.attempts, e.name ?? e.Code ?? 'Error');
        throw error;
      }
    },
    { step: 'initialize', name: 'tekamoloTrace', priority: 'high' },
  );
}
