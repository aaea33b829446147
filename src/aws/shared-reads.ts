import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { isReadOnlyOperation, TRACE_MIDDLEWARE } from './trace.js';

/** GetObject answers with a stream, which can be read only once. */
const STREAMING = new Set(['GetObject']);

/**
 * The answers of one reading (`Aws.reading`): `find`, `describe` and `health` of neighbouring
 * resources ask the same questions (the group's instances, a target group's health, a certificate),
 * and a reading is one snapshot anyway. A failure is shared too. Nothing is kept beyond the reading.
 */
export class SharedReads {
  private readonly answers = new Map<string, Promise<unknown>>();

  answer<T>(request: string, send: () => Promise<T>): Promise<T> {
    let answer = this.answers.get(request) as Promise<T> | undefined;
    if (!answer) {
      answer = send();
      this.answers.set(request, answer);
    }
    return answer;
  }
}

/**
 * Adds to a client's stack, outside the trace: during a reading, a read-only request identical to one
 * already made by this client (`client`: service and region) gets that one's answer and is neither sent
 * nor traced again. Only operations the trace counts as read-only are shared, never a streaming answer;
 * the answer is the same object (handlers only read SDK outputs).
 */
export function addSharedReadsMiddleware(
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client has its own input/output union
  stack: MiddlewareStack<any, any>,
  current: () => SharedReads | undefined,
  client: string,
): void {
  const share: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const reads = current();
    const operation = String(context.commandName ?? '').replace(/Command$/, '');
    if (!reads || !isReadOnlyOperation(operation) || STREAMING.has(operation)) return next(args);
    return reads.answer(`${client} ${operation} ${JSON.stringify(args.input)}`, () => next(args));
  };
  stack.addRelativeTo(share, {
    relation: 'before',
    toMiddleware: TRACE_MIDDLEWARE,
    name: 'tekamoloSharedReads',
  });
}
