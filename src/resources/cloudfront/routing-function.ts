import {
  type CloudFrontClient,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DescribeFunctionCommand,
  type FunctionRuntime,
  type FunctionSummary,
  GetFunctionCommand,
  PublishFunctionCommand,
  UpdateFunctionCommand,
} from '@aws-sdk/client-cloudfront';
import * as z from 'zod/mini';
import { hasErrorName, isNotFound, orUndefined, retryOn } from '../../aws/errors.js';
import type { Config } from '../../config/schema.js';
import { type Actual, fieldChange, type Resource, type ResourceContext } from '../../engine/contract.js';
import { UserError } from '../../errors.js';
import type { RoutingFunctionOutputs } from '../outputs.js';
import { savedState } from '../shared/saved-state.js';
import { type Versioned, withFreshETag } from './config.js';

export type RoutingMode = 'spa' | 'static';

export interface RoutingFunctionDesired {
  name: string;
  runtime: FunctionRuntime;
  /** CloudFront Functions carry no tags: the comment's `tekamolo:<stack>` prefix marks ours. */
  comment: string;
  code: string;
}

export interface ActualRoutingFunction extends Actual {
  name: string;
  arn: string;
  status?: string;
  runtime?: string;
  comment?: string;
  /** The DEVELOPMENT stage's code. */
  code?: string;
  /** The LIVE stage's code, which distributions run; null when the function was never published. */
  liveCode?: string | null;
}

const RUNTIME: FunctionRuntime = 'cloudfront-js-2.0';

/**
 * The viewer-request handler. `spa`: a path whose last segment has no extension is a client-side
 * route and gets the app's /index.html. `static`: a folder path (/docs/) gets its own index.html.
 * Assets (/app.3f2a.js) pass through unchanged in both.
 */
export function routingCode(mode: RoutingMode): string {
  const rewrite =
    mode === 'spa'
      ? [
          "  var last = uri.substring(uri.lastIndexOf('/') + 1);",
          "  if (last.indexOf('.') === -1) request.uri = '/index.html';",
        ]
      : ["  if (uri.charAt(uri.length - 1) === '/') request.uri = uri + 'index.html';"];
  return [
    `// tekamolo routing: ${mode}`,
    'function handler(event) {',
    '  var request = event.request;',
    '  var uri = request.uri;',
    ...rewrite,
    '  return request;',
    '}',
    '',
  ].join('\n');
}

/** What the routing function's state entry records. */
const savedShape = z.object({ name: z.optional(z.string()), arn: z.optional(z.string()) });

export const routingFunction: Resource<
  RoutingFunctionDesired,
  ActualRoutingFunction,
  RoutingFunctionOutputs
> = {
  key: 'spaFunction',
  title: 'CloudFront routing function',
  dependsOn: [],
  enabled: (config: Config) => config.frontend.routing !== 'none',

  desired(ctx) {
    const mode = ctx.config.frontend.routing as RoutingMode;
    return {
      name: ctx.names.spaFunction,
      runtime: RUNTIME,
      comment: `${ownerPrefix(ctx)} ${mode} routing`,
      code: routingCode(mode),
    };
  },

  async find(ctx) {
    const savedName = savedState(ctx, savedShape).name;
    const name = savedName ?? ctx.names.spaFunction;
    const cloudfront = ctx.aws.cloudfront();
    const described = await orUndefined(
      cloudfront.send(new DescribeFunctionCommand({ Name: name, Stage: 'DEVELOPMENT' })),
    );
    if (!described?.FunctionSummary) return undefined;
    const code = await readCode(cloudfront, name, 'DEVELOPMENT');
    const liveCode = (await readCode(cloudfront, name, 'LIVE')) ?? null;
    const actual = fromSummary(described.FunctionSummary, name);
    actual.code = code;
    actual.liveCode = liveCode;
    const prefix = ownerPrefix(ctx);
    if (savedName === undefined && !(actual.comment ?? '').startsWith(`${prefix} `)) {
      actual.foreign = `CloudFront function ${name} has comment "${actual.comment ?? ''}", not one of ${prefix}`;
    }
    return actual;
  },

  // CloudFront Functions carry no tags: the comment tekamolo wrote is the proof.
  ownership(ctx, actual) {
    const prefix = ownerPrefix(ctx);
    if ((actual.comment ?? '').startsWith(`${prefix} `)) return {};
    return {
      notProved: `CloudFront function ${actual.name} has comment "${actual.comment ?? ''}", not one of ${prefix}`,
    };
  },

  diff(desired, actual) {
    return [
      ...fieldChange('runtime', desired.runtime, actual.runtime),
      ...fieldChange('comment', desired.comment, actual.comment),
      ...fieldChange('code', desired.code, actual.code),
      // Distributions run the LIVE stage: code that is saved but not published does nothing.
      ...fieldChange('code (LIVE)', desired.code, actual.liveCode),
    ];
  },

  async create(ctx, desired) {
    const cloudfront = ctx.aws.cloudfront();
    let summary: FunctionSummary | undefined;
    try {
      const response = await cloudfront.send(
        new CreateFunctionCommand({
          Name: desired.name,
          FunctionConfig: { Comment: desired.comment, Runtime: desired.runtime },
          FunctionCode: encode(desired.code),
        }),
      );
      summary = response.FunctionSummary;
    } catch (error) {
      if (hasErrorName(error, 'TooManyFunctions')) {
        throw new UserError(
          'the account has reached its quota of CloudFront Functions (TooManyFunctions)',
          'delete unused functions, request a higher quota in Service Quotas, or set frontend.routing: none',
        );
      }
      // No idempotency token exists for functions; names are unique, so a create retried after a
      // crash lands here and converges the existing function instead (ours by state or comment).
      if (!hasErrorName(error, 'FunctionAlreadyExists')) throw error;
      const existing = await routingFunction.find(ctx);
      if (!existing || existing.foreign) throw error;
      await ctx.record({ name: existing.name, arn: existing.arn });
      return routingFunction.update(ctx, desired, existing, routingFunction.diff(desired, existing));
    }
    const arn = summary?.FunctionMetadata?.FunctionARN;
    if (!summary || !arn) throw new Error('CreateFunction returned no function ARN');
    await ctx.record({ name: desired.name, arn });
    ctx.progress('publishing the function to LIVE');
    const published = await publish(cloudfront, desired.name);
    return {
      ...fromSummary(published ?? summary, desired.name),
      arn,
      id: arn,
      runtime: desired.runtime,
      comment: desired.comment,
      code: desired.code,
      liveCode: desired.code,
    };
  },

  async update(ctx, desired, actual, changes) {
    const cloudfront = ctx.aws.cloudfront();
    const developmentChanged = changes.some((c) => c.field !== 'code (LIVE)');
    if (developmentChanged) {
      await withFreshETag(
        () => readEtag(cloudfront, actual.name),
        ({ etag }) =>
          cloudfront.send(
            new UpdateFunctionCommand({
              Name: actual.name,
              IfMatch: etag,
              FunctionConfig: { Comment: desired.comment, Runtime: desired.runtime },
              FunctionCode: encode(desired.code),
            }),
          ),
      );
    }
    ctx.progress('publishing the function to LIVE');
    await publish(cloudfront, actual.name);
    return {
      ...actual,
      runtime: desired.runtime,
      comment: desired.comment,
      code: desired.code,
      liveCode: desired.code,
    };
  },

  async delete(ctx, actual) {
    const cloudfront = ctx.aws.cloudfront();
    try {
      // A function stays "in use" for a short while after the distribution that ran it was
      // deleted or changed, until CloudFront has propagated the association's removal.
      await retryOn(
        ['FunctionInUse'],
        () =>
          withFreshETag(
            () => readEtag(cloudfront, actual.name),
            ({ etag }) => cloudfront.send(new DeleteFunctionCommand({ Name: actual.name, IfMatch: etag })),
          ),
        {
          attempts: 10,
          delayMs: ctx.config.waits.pollSeconds * 1000,
          onRetry: () => ctx.progress('function still associated with a distribution, retrying'),
        },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },

  outputs(actual) {
    return { name: actual.name, arn: actual.arn };
  },

  describe(_ctx, actual) {
    const live =
      actual.liveCode === null
        ? 'not published'
        : actual.liveCode === actual.code
          ? 'LIVE up to date'
          : 'LIVE behind DEVELOPMENT';
    return `${actual.runtime ?? RUNTIME}, ${live}`;
  },

  async health(_ctx, actual) {
    if (actual.liveCode === null) return { state: 'unhealthy', detail: 'function never published to LIVE' };
    if (actual.liveCode !== actual.code) {
      return { state: 'pending', detail: 'LIVE stage runs older code than DEVELOPMENT' };
    }
    return { state: 'ok' };
  },
};

function ownerPrefix(ctx: ResourceContext): string {
  return `tekamolo:${ctx.config.stack}`;
}

function encode(code: string): Uint8Array {
  return new TextEncoder().encode(code);
}

function fromSummary(summary: FunctionSummary, name: string): ActualRoutingFunction {
  const arn = summary.FunctionMetadata?.FunctionARN ?? '';
  return {
    id: arn || name,
    name: summary.Name ?? name,
    arn,
    status: summary.Status,
    runtime: summary.FunctionConfig?.Runtime,
    comment: summary.FunctionConfig?.Comment,
  };
}

async function readCode(
  cloudfront: CloudFrontClient,
  name: string,
  stage: 'DEVELOPMENT' | 'LIVE',
): Promise<string | undefined> {
  const response = await orUndefined(cloudfront.send(new GetFunctionCommand({ Name: name, Stage: stage })));
  if (!response?.FunctionCode) return undefined;
  return new TextDecoder().decode(response.FunctionCode);
}

async function readEtag(cloudfront: CloudFrontClient, name: string): Promise<Versioned<undefined>> {
  const response = await cloudfront.send(new DescribeFunctionCommand({ Name: name, Stage: 'DEVELOPMENT' }));
  if (!response.ETag) throw new Error(`DescribeFunction for ${name} returned no ETag`);
  return { value: undefined, etag: response.ETag };
}

/** PublishFunction copies DEVELOPMENT to LIVE; it needs the DEVELOPMENT stage's current ETag. */
async function publish(cloudfront: CloudFrontClient, name: string): Promise<FunctionSummary | undefined> {
  const response = await withFreshETag(
    () => readEtag(cloudfront, name),
    ({ etag }) => cloudfront.send(new PublishFunctionCommand({ Name: name, IfMatch: etag })),
  );
  return response.FunctionSummary;
}
