import type { RetryStrategyFactory } from '../aws/clients.js';
import type { Tracer } from '../aws/trace.js';
import type { CliIo } from './io.js';

/** Global options of the contract (ARCHITECTURE §1 "Command line"), as every command receives them. */
export interface GlobalOptions {
  config: string;
  /** `--stage`, else TEKAMOLO_STAGE: the stage of the config to work on. */
  stage?: string;
  profile?: string;
  json: boolean;
  trace?: string;
  yes: boolean;
  verbose: boolean;
  color: boolean;
  /** Where this run reads and writes: not an option, but every command needs it where it needs these. */
  io: CliIo;
  /** Set only by a program that runs tekamolo inside itself (runTekamolo): not an option. */
  retryStrategy?: RetryStrategyFactory;
}

export interface UpOptions {
  wait: boolean;
  /** `--take-over KEY`, repeatable: resources not proved this stack's that `up` may change. */
  takeOver: string[];
  /** `--skip-dns-check`: go on when the registrar does not delegate to the hosted zone. */
  skipDnsCheck?: boolean;
}
export interface ConnectOptions {
  /** The instance id given on the command line; else the first InService one. */
  instance?: string;
}
export interface PlanOptions {
  exitCode: boolean;
  destroy: boolean;
}
export interface StatusOptions {
  exitCode: boolean;
  /** Seconds between redraws; undefined when not watching. */
  watch?: number;
}
export interface DestroyOptions {
  wait: boolean;
  keepBucket: boolean;
}
export interface PolicyOptions {
  /** `--for plan|status`: only what those read-only commands call. */
  for?: 'plan' | 'status';
}
export interface SyncOptions {
  dir?: string;
  delete: boolean;
  dryRun: boolean;
  invalidate: boolean;
  wait: boolean;
  concurrency: number;
}

/** A command's implementation: resolves to the process exit code. */
/**
 * A command. `tracer` records its AWS calls (and writes --trace): created before the command runs, so
 * that the error a command ends with can still say how many calls it made.
 */
export type CommandRunner<O> = (globals: GlobalOptions, options: O, tracer: Tracer) => Promise<number>;
/** `tekamolo init`: the config's required fields; each one missing is asked for on a terminal. */
export interface InitOptions {
  domain?: string;
  region?: string;
  stack?: string;
}
