import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateOriginAccessControlCommand,
  DeleteOriginAccessControlCommand,
  GetOriginAccessControlCommand,
  ListOriginAccessControlsCommand,
  type OriginAccessControlSummary,
  UpdateOriginAccessControlCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../../src/errors.js';
import {
  type OacDesired,
  originAccessControl,
} from '../../../../src/resources/cloudfront/origin-access-control.js';
import { testContext } from '../../../support/context.js';

function awsError(name: string): CloudFrontServiceException {
  return new CloudFrontServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

function item(id: string, name: string, description: string): OriginAccessControlSummary {
  return {
    Id: id,
    Name: name,
    Description: description,
    SigningBehavior: 'always',
    SigningProtocol: 'sigv4',
    OriginAccessControlOriginType: 's3',
  };
}

function config(desired: OacDesired, overrides = {}) {
  return {
    Name: desired.name,
    Description: desired.description,
    SigningBehavior: desired.signingBehavior,
    SigningProtocol: desired.signingProtocol,
    OriginAccessControlOriginType: desired.originType,
    ...overrides,
  };
}

describe('originAccessControl', () => {
  const cf = mockClient(CloudFrontClient);
  let desired: OacDesired;

  beforeEach(async () => {
    cf.reset();
    desired = await originAccessControl.desired(testContext({ key: 'oac' }));
  });
  afterEach(() => {
    cf.reset();
  });

  it('wants sigv4, always, for s3, described with the stack', () => {
    expect(desired).toEqual({
      name: 'demo-site-oac',
      description: 'tekamolo:demo',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
      originType: 's3',
    });
  });

  it('finds by the state id first', async () => {
    cf.on(GetOriginAccessControlCommand, { Id: 'OAC1' }).resolves({
      OriginAccessControl: { Id: 'OAC1', OriginAccessControlConfig: config(desired) },
      ETag: 'E1',
    });
    const found = await originAccessControl.find(testContext({ key: 'oac', saved: { id: 'OAC1' } }));
    expect(found?.id).toBe('OAC1');
    expect(cf.commandCalls(ListOriginAccessControlsCommand)).toHaveLength(0);
  });

  it('finds by name across pages, and marks one without our description foreign', async () => {
    cf.on(ListOriginAccessControlsCommand, { Marker: undefined }).resolves({
      OriginAccessControlList: {
        Items: [item('X', 'other', '')],
        IsTruncated: true,
        NextMarker: 'm2',
      } as never,
    });
    cf.on(ListOriginAccessControlsCommand, { Marker: 'm2' }).resolves({
      OriginAccessControlList: {
        Items: [item('OAC2', 'demo-site-oac', 'made by hand')],
        IsTruncated: false,
      } as never,
    });
    const found = await originAccessControl.find(testContext({ key: 'oac' }));
    expect(found?.id).toBe('OAC2');
    expect(found?.foreign).toMatch(/made by hand/);
  });

  it('creates and records the id; a same-named OAC of ours is taken over instead of duplicated', async () => {
    cf.on(ListOriginAccessControlsCommand).resolves({
      OriginAccessControlList: { Items: [], IsTruncated: false } as never,
    });
    cf.on(CreateOriginAccessControlCommand).resolves({
      OriginAccessControl: { Id: 'NEW', OriginAccessControlConfig: config(desired) },
      ETag: 'E1',
    });
    const ctx = testContext({ key: 'oac' });
    const created = await originAccessControl.create(ctx, desired);
    expect(created.id).toBe('NEW');
    expect(ctx.recorded.id).toBe('NEW');
    expect(
      cf.commandCalls(CreateOriginAccessControlCommand)[0]!.args[0].input.OriginAccessControlConfig,
    ).toEqual(config(desired));

    cf.on(ListOriginAccessControlsCommand).resolves({
      OriginAccessControlList: {
        Items: [item('NEW', desired.name, desired.description)],
        IsTruncated: false,
      } as never,
    });
    const again = await originAccessControl.create(testContext({ key: 'oac' }), desired);
    expect(again.id).toBe('NEW');
    expect(cf.commandCalls(CreateOriginAccessControlCommand)).toHaveLength(1);
  });

  it('a name taken by an OAC that is not ours is a UserError', async () => {
    cf.on(ListOriginAccessControlsCommand).resolves({
      OriginAccessControlList: { Items: [], IsTruncated: false } as never,
    });
    cf.on(CreateOriginAccessControlCommand).rejects(awsError('OriginAccessControlAlreadyExists'));
    await expect(originAccessControl.create(testContext({ key: 'oac' }), desired)).rejects.toThrow(UserError);
  });

  it('an OAC quota hit is a UserError', async () => {
    cf.on(ListOriginAccessControlsCommand).resolves({
      OriginAccessControlList: { Items: [], IsTruncated: false } as never,
    });
    cf.on(CreateOriginAccessControlCommand).rejects(awsError('TooManyOriginAccessControls'));
    await expect(originAccessControl.create(testContext({ key: 'oac' }), desired)).rejects.toThrow(/quota/);
  });

  it('updates with IfMatch and retries once with a fresh ETag on PreconditionFailed', async () => {
    cf.on(GetOriginAccessControlCommand)
      .resolvesOnce({ OriginAccessControl: { Id: 'OAC1' }, ETag: 'STALE' })
      .resolves({ OriginAccessControl: { Id: 'OAC1' }, ETag: 'FRESH' });
    cf.on(UpdateOriginAccessControlCommand, { IfMatch: 'STALE' }).rejects(awsError('PreconditionFailed'));
    cf.on(UpdateOriginAccessControlCommand, { IfMatch: 'FRESH' }).resolves({
      OriginAccessControl: { Id: 'OAC1', OriginAccessControlConfig: config(desired) },
    });
    const actual = {
      id: 'OAC1',
      name: desired.name,
      description: desired.description,
      signingBehavior: 'never',
    };
    const changes = originAccessControl.diff(desired, actual);
    expect(changes).toEqual([{ field: 'signingBehavior', from: 'never', to: 'always', action: 'update' }]);
    const next = await originAccessControl.update(testContext({ key: 'oac' }), desired, actual, changes);
    expect(originAccessControl.diff(desired, next)).toEqual([]);
    expect(cf.commandCalls(UpdateOriginAccessControlCommand).map((c) => c.args[0].input.IfMatch)).toEqual([
      'STALE',
      'FRESH',
    ]);
  });

  it('deletes with IfMatch, retries while still in use, and treats gone as done', async () => {
    cf.on(GetOriginAccessControlCommand).resolves({ OriginAccessControl: { Id: 'OAC1' }, ETag: 'E7' });
    cf.on(DeleteOriginAccessControlCommand).rejectsOnce(awsError('OriginAccessControlInUse')).resolves({});
    await originAccessControl.delete(testContext({ key: 'oac' }), { id: 'OAC1', name: desired.name });
    const calls = cf.commandCalls(DeleteOriginAccessControlCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { Id: 'OAC1', IfMatch: 'E7' },
      { Id: 'OAC1', IfMatch: 'E7' },
    ]);

    cf.reset();
    cf.on(GetOriginAccessControlCommand).rejects(awsError('NoSuchOriginAccessControl'));
    await expect(
      originAccessControl.delete(testContext({ key: 'oac' }), { id: 'OAC1', name: desired.name }),
    ).resolves.toBeUndefined();
  });
});
