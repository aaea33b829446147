import { closeSync, openSync, writeSync } from 'node:fs';
import type { MiddlewareStack } from '@smithy/types';
import { UserError } from '../errors.js';
import { fileProblem } from '../file-problem.js';
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

/** AWS calls made: all of them, and those that change something (not Get/List/Describe/Head). */
export interface AwsCalls {
  total: number;
  changing: number;
}

/** Records every AWS call: to the trace file when one is given, and in memory for summaries. */
export class Tracer {
  readonly records: TraceRecord[] = [];
  /** Opened by `open` before the first call (else at the first call); kept open until `close`. */
  private fd: number | undefined;
  constructor(private readonly file?: string) {}

  /**
   * Open the trace file for appending now, so that a path that cannot be written is a clear bad-input
   * error before any AWS call, not a failed call that looks like a network problem.
   */
  open(): number | undefined {
    if (!this.file) return undefined;
    try {
      this.fd ??= openSync(this.file, 'a');
    } catch (error) {
      throw new UserError(
        `cannot write the trace file ${this.file} (--trace): ${fileProblem(error)}`,
        'pass --trace a file in an existing folder that you can write to; nothing was changed',
      );
    }
    return this.fd;
  }

  record(entry: TraceRecord): void {
    this.records.push(entry);
    const fd = this.open();
    // Written at once, line by line: a run killed half-way leaves every finished call in the file.
    if (fd !== undefined) writeSync(fd, `${JSON.stringify(entry)}\n`);
  }

  /** The run is over: a process that runs the command line again must not keep one file open per run. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  get changingCalls(): number {
    return this.records.filter((r) => !isReadOnlyOperation(r.operation)).length;
  }

  /** The calls recorded so far, as every command's final JSON document or event reports them. */
  calls(): AwsCalls {
    return { total: this.records.length, changing: this.changingCalls };
  }
}

/** The trace middleware's name in every client's stack (others are placed relative to it). */
export const TRACE_MIDDLEWARE = 'tekamoloTrace';

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
    { step: 'initialize', name: TRACE_MIDDLEWARE, priority: 'high' },
  );
}
