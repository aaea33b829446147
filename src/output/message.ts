/**
 * The one output channel. Everything a command reports (the engine's progress, sync's transfer, a
 * status reading, a result, an error) is a message: a level, a stable code, the time, and the data of
 * that code. Producers only build messages; the CLI's renderers (live terminal, plain lines, JSON) are
 * the only writers to stdout and stderr. The JSON form is documented in docs/json.md.
 */

/** Version of the JSON contract: raised when a field changes meaning or goes away (docs/json.md). */
export const JSON_VERSION = 2;

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** What a producer emits: a code and that code's data. */
export interface Payload {
  code: string;
}

/** A payload as it travels: stamped with its time and level. */
export type Message<P extends Payload = Payload> = P extends Payload
  ? P & { time: string; level: Level }
  : never;

export type Sink<P extends Payload> = (message: Message<P>) => void;

/** The level of each code a producer emits: fixed per code, so that a code means one thing. */
export type Levels<P extends Payload> = Record<P['code'], Level>;

export function stamp<P extends Payload>(payload: P, levels: Levels<P>): Message<P> {
  const code: P['code'] = payload.code;
  return { ...payload, time: new Date().toISOString(), level: levels[code] } as Message<P>;
}

/**
 * A question for the user, with the answer used when nobody can be asked (no terminal, or --json):
 * `--yes` answers yes to every confirmation.
 */
export interface ConfirmRequest {
  code: string;
  question: string;
  default: boolean;
  /** The resource that asks, when one does. */
  key?: string;
}
