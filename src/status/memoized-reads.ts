import type { Aws } from '../aws/clients.js';
import { isReadOnlyOperation } from '../aws/trace.js';

/** A command's class: the same class is the same operation. */
type CommandType = abstract new (...args: never[]) => unknown;

interface Sendable {
  send(command: object, ...rest: unknown[]): Promise<unknown>;
}

/** GetObject answers with a stream, which can be read only once. */
const STREAMING = new Set(['GetObjectCommand']);

function isClient(value: unknown): value is Sendable {
  return typeof value === 'object' && value !== null && typeof (value as Sendable).send === 'function';
}

/**
 * The same AWS clients, except that a read made twice with the same input during one status reading is
 * sent once: `find`, `describe` and `health` of neighbouring resources ask the same questions (the
 * group's instances, a target group's health, a certificate), and a reading is one snapshot anyway.
 * Only operations the trace counts as read-only are shared; the answer is the same object (handlers
 * only read SDK outputs). Use one per reading: nothing is kept beyond it.
 */
export function memoizedReads(aws: Aws): Aws {
  const wrapped = new WeakMap<object, Sendable>();

  const wrap = (client: Sendable): Sendable => {
    const known = wrapped.get(client);
    if (known) return known;
    const byCommand = new Map<CommandType, Map<string, Promise<unknown>>>();
    const proxy = new Proxy(client, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property !== 'send') return typeof value === 'function' ? value.bind(target) : value;
        return (command: { input?: unknown }, ...rest: unknown[]) => {
          const type = command.constructor as CommandType;
          const operation = type.name.replace(/Command$/, '');
          if (!isReadOnlyOperation(operation) || STREAMING.has(type.name) || rest.length > 0) {
            return target.send(command, ...rest);
          }
          let sent = byCommand.get(type);
          if (!sent) {
            sent = new Map();
            byCommand.set(type, sent);
          }
          const key = JSON.stringify(command.input ?? {});
          let answer = sent.get(key);
          if (!answer) {
            answer = target.send(command);
            sent.set(key, answer);
          }
          return answer;
        };
      },
    });
    wrapped.set(client, proxy);
    return proxy;
  };

  return new Proxy(aws, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return isClient(result) ? wrap(result) : result;
      };
    },
  });
}
