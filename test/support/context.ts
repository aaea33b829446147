import { Aws } from '../../src/aws/clients.js';
import { Tracer } from '../../src/aws/trace.js';
import { deriveNames } from '../../src/config/names.js';
import { type Config, type ConfigInput, configSchema } from '../../src/config/schema.js';
import { type ResourceContext, type RunOptions, stackTags, type Unknown } from '../../src/engine/contract.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { ResourceState } from '../../src/state/types.js';

/** A minimal valid config for tests; fields can be overridden. */
export function testConfig(overrides: Partial<ConfigInput> = {}): Config {
  return configSchema.parse({
    stack: 'demo',
    region: 'eu-central-1',
    domain: 'example.com',
    waits: { pollSeconds: 0.01, certificateMinutes: 0.05, distributionMinutes: 0.05 },
    ...overrides,
    // The instance role is tested on its own: other tests would need IAM answers they do not care about.
    backend: { sessionManager: false, ...(overrides.backend ?? { sshCidrs: ['203.0.113.10/32'] }) },
  });
}

export interface TestContext extends ResourceContext {
  events: EngineEvent[];
  /** What `record` wrote, merged. */
  recorded: ResourceState;
  /** Messages passed to progress/waiting/warn. */
  messages: string[];
}

export interface ContextOptions {
  key?: string;
  config?: Config;
  aws?: Aws;
  saved?: ResourceState;
  /** Dependencies' outputs by key; `unknown` for one that does not exist yet (plan). */
  outputs?: Record<string, Record<string, unknown> | Unknown>;
  options?: Partial<RunOptions>;
  /** Answer of `confirm` (default: options.yes). */
  confirm?: boolean;
  accountId?: string;
}

/** A ResourceContext for calling one handler directly in a test. */
export function testContext(opts: ContextOptions = {}): TestContext {
  const config = opts.config ?? testConfig();
  const options: RunOptions = { wait: true, yes: false, readOnly: false, keepBucket: false, ...opts.options };
  const events: EngineEvent[] = [];
  const messages: string[] = [];
  const recorded: ResourceState = { ...(opts.saved ?? {}) };
  const ctx: TestContext = {
    config,
    configDir: process.cwd(),
    names: deriveNames(config),
    accountId: opts.accountId ?? '123456789012',
    aws: opts.aws ?? new Aws({ region: config.region, tracer: new Tracer(), maxAttempts: 1 }),
    options,
    saved: opts.saved ?? {},
    async record(attributes) {
      Object.assign(recorded, attributes);
      Object.assign(ctx.saved, attributes);
    },
    output(key) {
      const value = opts.outputs?.[key];
      if (!value) throw new Error(`test context: no outputs for ${key}`);
      return value as never;
    },
    tags: stackTags(config, opts.key ?? 'test'),
    progress: (m) => messages.push(m),
    waiting: (m) => messages.push(m),
    warn: (m) => messages.push(`warning: ${m}`),
    confirm: async () => opts.confirm ?? options.yes,
    signal: new AbortController().signal,
    events,
    recorded,
    messages,
  };
  return ctx;
}
