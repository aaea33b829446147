import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DescribeFunctionCommand,
  type FunctionSummary,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  PublishFunctionCommand,
  UpdateFunctionCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ActualRoutingFunction,
  type RoutingFunctionDesired,
  routingCode,
  routingFunction,
} from '../../../../src/resources/cloudfront/routing-function.js';
import { testConfig, testContext } from '../../../support/context.js';

const ARN = 'arn:aws:cloudfront::123456789012:function/demo-routing';

function awsError(name: string): CloudFrontServiceException {
  return new CloudFrontServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

function summary(comment: string, stage: 'DEVELOPMENT' | 'LIVE' = 'DEVELOPMENT'): FunctionSummary {
  return {
    Name: 'demo-routing',
    Status: 'UNASSOCIATED',
    FunctionConfig: { Comment: comment, Runtime: 'cloudfront-js-2.0' },
    FunctionMetadata: { FunctionARN: ARN, Stage: stage, LastModifiedTime: new Date() },
  };
}

/** The SDK's blob type for a function's code. */
function blob(text: string): GetFunctionCommandOutput['FunctionCode'] {
  return Object.assign(new TextEncoder().encode(text), {
    transformToString: () => text,
  }) as GetFunctionCommandOutput['FunctionCode'];
}

/** Runs the generated code as CloudFront would, on one request path. */
function route(code: string, uri: string): string {
  const handler = new Function(`${code}\nreturn handler;`)() as (event: { request: { uri: string } }) => {
    uri: string;
  };
  return handler({ request: { uri } }).uri;
}

describe('routing function code', () => {
  it('spa: extension-less paths get /index.html, assets pass through', () => {
    const code = routingCode('spa');
    expect(route(code, '/')).toBe('/index.html');
    expect(route(code, '/account/settings')).toBe('/index.html');
    expect(route(code, '/docs/')).toBe('/index.html');
    expect(route(code, '/assets/app.3f2a.js')).toBe('/assets/app.3f2a.js');
    expect(route(code, '/favicon.ico')).toBe('/favicon.ico');
  });

  it('static: a folder path gets its own index.html, other paths pass through', () => {
    const code = routingCode('static');
    expect(route(code, '/')).toBe('/index.html');
    expect(route(code, '/docs/')).toBe('/docs/index.html');
    expect(route(code, '/docs/intro.html')).toBe('/docs/intro.html');
    expect(route(code, '/about')).toBe('/about');
  });
});

describe('routingFunction', () => {
  const cf = mockClient(CloudFrontClient);
  let desired: RoutingFunctionDesired;
  const ctx = () => testContext({ key: 'spaFunction' });

  beforeEach(async () => {
    cf.reset();
    desired = await routingFunction.desired(ctx());
  });
  afterEach(() => {
    cf.reset();
  });

  it('is enabled unless routing is none', () => {
    expect(routingFunction.enabled?.(testConfig())).toBe(true);
    expect(routingFunction.enabled?.(testConfig({ frontend: { routing: 'static' } }))).toBe(true);
    expect(routingFunction.enabled?.(testConfig({ frontend: { routing: 'none' } }))).toBe(false);
  });

  it('creates the function, records it, then publishes it to LIVE with the current ETag', async () => {
    const c = ctx();
    cf.on(CreateFunctionCommand).resolves({ FunctionSummary: summary(desired.comment), ETag: 'E1' });
    cf.on(DescribeFunctionCommand).resolves({ FunctionSummary: summary(desired.comment), ETag: 'E1' });
    cf.on(PublishFunctionCommand).callsFake(async () => {
      // Recorded before publishing: a crash between the two leaves a function `find` sees.
      expect(c.recorded).toMatchObject({ name: 'demo-routing', arn: ARN });
      return { FunctionSummary: summary(desired.comment, 'LIVE') };
    });
    const actual = await routingFunction.create(c, desired);
    const create = cf.commandCalls(CreateFunctionCommand)[0]!.args[0].input;
    expect(create.FunctionConfig).toEqual({
      Comment: 'tekamolo:demo spa routing',
      Runtime: 'cloudfront-js-2.0',
    });
    expect(new TextDecoder().decode(create.FunctionCode)).toBe(routingCode('spa'));
    expect(cf.commandCalls(PublishFunctionCommand)[0]!.args[0].input).toEqual({
      Name: 'demo-routing',
      IfMatch: 'E1',
    });
    expect(routingFunction.outputs(actual)).toEqual({ name: 'demo-routing', arn: ARN });
    expect(routingFunction.diff(desired, actual)).toEqual([]);
  });

  function stages(development: string, live: string | undefined, comment = desired.comment) {
    cf.on(DescribeFunctionCommand).resolves({ FunctionSummary: summary(comment), ETag: 'E1' });
    cf.on(GetFunctionCommand, { Stage: 'DEVELOPMENT' }).resolves({
      FunctionCode: blob(development),
      ETag: 'E1',
    });
    if (live === undefined)
      cf.on(GetFunctionCommand, { Stage: 'LIVE' }).rejects(awsError('NoSuchFunctionExists'));
    else cf.on(GetFunctionCommand, { Stage: 'LIVE' }).resolves({ FunctionCode: blob(live) });
  }

  it('sees a function saved but never published, and update only publishes it', async () => {
    stages(desired.code, undefined);
    const c = ctx();
    const actual = (await routingFunction.find(c))!;
    expect(actual.liveCode).toBeNull();
    const changes = routingFunction.diff(desired, actual);
    expect(changes.map((x) => x.field)).toEqual(['code (LIVE)']);
    cf.on(PublishFunctionCommand).resolves({});
    await routingFunction.update(c, desired, actual, changes);
    expect(cf.commandCalls(UpdateFunctionCommand)).toHaveLength(0);
    expect(cf.commandCalls(PublishFunctionCommand)).toHaveLength(1);
  });

  it('updates changed code with IfMatch and publishes; a stale ETag is retried once', async () => {
    const c = ctx();
    const actual: ActualRoutingFunction = {
      id: ARN,
      name: 'demo-routing',
      arn: ARN,
      runtime: 'cloudfront-js-2.0',
      comment: desired.comment,
      code: routingCode('static'),
      liveCode: routingCode('static'),
    };
    const changes = routingFunction.diff(desired, actual);
    expect(changes.map((x) => x.field)).toEqual(['code', 'code (LIVE)']);
    cf.on(DescribeFunctionCommand)
      .resolvesOnce({ FunctionSummary: summary(desired.comment), ETag: 'STALE' })
      .resolves({ FunctionSummary: summary(desired.comment), ETag: 'FRESH' });
    cf.on(UpdateFunctionCommand, { IfMatch: 'STALE' }).rejects(awsError('PreconditionFailed'));
    cf.on(UpdateFunctionCommand, { IfMatch: 'FRESH' }).resolves({ ETag: 'AFTER' });
    cf.on(PublishFunctionCommand).resolves({});
    const next = await routingFunction.update(c, desired, actual, changes);
    expect(cf.commandCalls(UpdateFunctionCommand).map((x) => x.args[0].input.IfMatch)).toEqual([
      'STALE',
      'FRESH',
    ]);
    const sent = cf.commandCalls(UpdateFunctionCommand)[1]!.args[0].input;
    expect(new TextDecoder().decode(sent.FunctionCode)).toBe(desired.code);
    expect(cf.commandCalls(PublishFunctionCommand)).toHaveLength(1);
    expect(routingFunction.diff(desired, next)).toEqual([]);
  });

  it('marks a same-named function without our comment foreign, but trusts the state', async () => {
    stages(desired.code, desired.code, 'hand-made');
    expect((await routingFunction.find(ctx()))?.foreign).toMatch(/hand-made/);
    const saved = testContext({ key: 'spaFunction', saved: { name: 'demo-routing', arn: ARN } });
    expect((await routingFunction.find(saved))?.foreign).toBeUndefined();
  });

  it('a function quota hit is a UserError that says what to do', async () => {
    cf.on(CreateFunctionCommand).rejects(awsError('TooManyFunctions'));
    await expect(routingFunction.create(ctx(), desired)).rejects.toThrow(/quota of CloudFront Functions/);
  });

  it('finds nothing when the function does not exist', async () => {
    cf.on(DescribeFunctionCommand).rejects(awsError('NoSuchFunctionExists'));
    expect(await routingFunction.find(ctx())).toBeUndefined();
  });

  it('deletes with IfMatch, retrying while the function is still associated', async () => {
    cf.on(DescribeFunctionCommand).resolves({ FunctionSummary: summary(desired.comment), ETag: 'E9' });
    cf.on(DeleteFunctionCommand).rejectsOnce(awsError('FunctionInUse')).resolves({});
    const actual: ActualRoutingFunction = { id: ARN, name: 'demo-routing', arn: ARN };
    const c = ctx();
    await routingFunction.delete(c, actual);
    const calls = cf.commandCalls(DeleteFunctionCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input).toEqual({ Name: 'demo-routing', IfMatch: 'E9' });
    expect(c.messages.some((m) => m.includes('still associated'))).toBe(true);
  });

  it('delete succeeds when the function is already gone', async () => {
    cf.on(DescribeFunctionCommand).rejects(awsError('NoSuchFunctionExists'));
    await expect(
      routingFunction.delete(ctx(), { id: ARN, name: 'demo-routing', arn: ARN }),
    ).resolves.toBeUndefined();
    expect(cf.commandCalls(DeleteFunctionCommand)).toHaveLength(0);
  });
});
