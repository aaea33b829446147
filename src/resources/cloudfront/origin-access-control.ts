import {
  type CloudFrontClient,
  CreateOriginAccessControlCommand,
  DeleteOriginAccessControlCommand,
  GetOriginAccessControlCommand,
  ListOriginAccessControlsCommand,
  type OriginAccessControl,
  type OriginAccessControlConfig,
  UpdateOriginAccessControlCommand,
} from '@aws-sdk/client-cloudfront';
import * as z from 'zod/mini';
import { hasErrorName, isNotFound, orUndefined, retryOn } from '../../aws/errors.js';
import { type Actual, fieldChange, type Resource, type ResourceContext } from '../../engine/contract.js';
import { UserError } from '../../errors.js';
import type { OriginAccessControlOutputs } from '../outputs.js';
import { findUntilVisible } from '../shared/retry-while.js';
import { savedState } from '../shared/saved-state.js';
import { withFreshETag } from './config.js';

export interface OacDesired {
  name: string;
  /** OACs carry no tags: this exact description is how a stack recognises its own. */
  description: string;
  signingBehavior: 'always';
  signingProtocol: 'sigv4';
  originType: 's3';
}

export interface ActualOac extends Actual {
  name: string;
  description?: string;
  signingBehavior?: string;
  signingProtocol?: string;
  originType?: string;
}

/** ListOriginAccessControls pages of 100; no account has anywhere near this many. */
const LIST_MAX_PAGES = 50;

/** What the origin access control's state entry records. */
const savedShape = z.object({ id: z.optional(z.string()), name: z.optional(z.string()) });

export const originAccessControl: Resource<OacDesired, ActualOac, OriginAccessControlOutputs> = {
  key: 'oac',
  title: 'CloudFront origin access control',
  dependsOn: [],

  desired(ctx) {
    return {
      name: ctx.names.originAccessControl,
      description: ownerDescription(ctx),
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
      originType: 's3',
    };
  },

  async find(ctx) {
    const cloudfront = ctx.aws.cloudfront();
    const savedId = savedState(ctx, savedShape).id;
    if (savedId) {
      const response = await orUndefined(cloudfront.send(new GetOriginAccessControlCommand({ Id: savedId })));
      if (response?.OriginAccessControl) return fromAws(response.OriginAccessControl);
    }
    const found = await findByName(cloudfront, ctx.names.originAccessControl);
    if (!found) return undefined;
    if (found.description !== ownerDescription(ctx)) {
      found.foreign = `origin access control ${found.name} has description "${found.description ?? ''}", not "${ownerDescription(ctx)}"`;
    }
    return found;
  },

  // OACs carry no tags: the description tekamolo wrote is the proof.
  ownership(ctx, actual) {
    if (actual.description === ownerDescription(ctx)) return {};
    return {
      notProved: `origin access control ${actual.name} has description "${actual.description ?? ''}", not "${ownerDescription(ctx)}"`,
    };
  },

  diff(desired, actual) {
    return [
      ...fieldChange('description', desired.description, actual.description),
      ...fieldChange('signingBehavior', desired.signingBehavior, actual.signingBehavior),
      ...fieldChange('signingProtocol', desired.signingProtocol, actual.signingProtocol),
      ...fieldChange('originType', desired.originType, actual.originType),
    ];
  },

  async create(ctx, desired) {
    const cloudfront = ctx.aws.cloudfront();
    // The API has no idempotency token: a create retried after a crash must see the first one.
    const existing = await findByName(cloudfront, desired.name);
    if (existing && existing.description === desired.description) {
      await ctx.record({ id: existing.id, name: desired.name });
      return existing;
    }
    try {
      const response = await cloudfront.send(
        new CreateOriginAccessControlCommand({ OriginAccessControlConfig: toConfig(desired) }),
      );
      const created = response.OriginAccessControl;
      if (!created?.Id) throw new Error('CreateOriginAccessControl returned no id');
      await ctx.record({ id: created.Id, name: desired.name });
      return fromAws(created);
    } catch (error) {
      if (hasErrorName(error, 'OriginAccessControlAlreadyExists')) {
        // A retry of a create whose answer was lost meets its own OAC: our name and our description.
        const ours = await findOwnAfterConflict(ctx, cloudfront, desired);
        if (ours) {
          await ctx.record({ id: ours.id, name: desired.name });
          return ours;
        }
        // Names are unique per account: one taken by an OAC that is not ours is the user's to resolve.
        throw new UserError(
          `an origin access control named ${desired.name} already exists and is not this stack's`,
          `delete or rename it in the CloudFront console, or give it the description "${desired.description}" to adopt it`,
        );
      }
      if (hasErrorName(error, 'TooManyOriginAccessControls')) {
        throw new UserError(
          'the account has reached its quota of CloudFront origin access controls (TooManyOriginAccessControls)',
          'delete unused origin access controls or request a higher quota in Service Quotas, then run up again',
        );
      }
      throw error;
    }
  },

  async update(ctx, desired, actual) {
    const cloudfront = ctx.aws.cloudfront();
    const response = await withFreshETag(
      () => readVersioned(cloudfront, actual.id),
      ({ etag }) =>
        cloudfront.send(
          new UpdateOriginAccessControlCommand({
            Id: actual.id,
            IfMatch: etag,
            OriginAccessControlConfig: toConfig(desired),
          }),
        ),
    );
    return response.OriginAccessControl ? fromAws(response.OriginAccessControl) : actual;
  },

  async delete(ctx, actual) {
    const cloudfront = ctx.aws.cloudfront();
    try {
      // CloudFront can report the OAC as still in use for a short while after the distribution
      // that used it was deleted.
      await retryOn(
        ['OriginAccessControlInUse'],
        () =>
          withFreshETag(
            () => readVersioned(cloudfront, actual.id),
            ({ etag }) =>
              cloudfront.send(new DeleteOriginAccessControlCommand({ Id: actual.id, IfMatch: etag })),
          ),
        {
          attempts: 10,
          delayMs: ctx.config.waits.pollSeconds * 1000,
          onRetry: () => ctx.progress('origin access control still in use by a distribution, retrying'),
        },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },

  outputs(actual) {
    return { id: actual.id };
  },

  describe(_ctx, actual) {
    return `${actual.name}: ${actual.signingProtocol ?? '?'} ${actual.signingBehavior ?? '?'} for ${actual.originType ?? '?'}`;
  },
};

function ownerDescription(ctx: ResourceContext): string {
  return `tekamolo:${ctx.config.stack}`;
}

function toConfig(desired: OacDesired): OriginAccessControlConfig {
  return {
    Name: desired.name,
    Description: desired.description,
    SigningBehavior: desired.signingBehavior,
    SigningProtocol: desired.signingProtocol,
    OriginAccessControlOriginType: desired.originType,
  };
}

function fromAws(oac: OriginAccessControl): ActualOac {
  const config = oac.OriginAccessControlConfig;
  return {
    id: oac.Id ?? '',
    name: config?.Name ?? '',
    description: config?.Description,
    signingBehavior: config?.SigningBehavior,
    signingProtocol: config?.SigningProtocol,
    originType: config?.OriginAccessControlOriginType,
  };
}

/** The OAC CloudFront refused a create for, when it is ours (our name and description). */
async function findOwnAfterConflict(
  ctx: ResourceContext,
  cloudfront: CloudFrontClient,
  desired: OacDesired,
): Promise<ActualOac | undefined> {
  const found = await findUntilVisible(ctx, `origin access control ${desired.name}`, () =>
    findByName(cloudfront, desired.name),
  );
  return found?.description === desired.description ? found : undefined;
}

async function readVersioned(cloudfront: CloudFrontClient, id: string) {
  const response = await cloudfront.send(new GetOriginAccessControlCommand({ Id: id }));
  if (!response.ETag) throw new Error(`GetOriginAccessControl for ${id} returned no ETag`);
  return { value: response.OriginAccessControl, etag: response.ETag };
}

async function findByName(cloudfront: CloudFrontClient, name: string): Promise<ActualOac | undefined> {
  let marker: string | undefined;
  for (let page = 0; page < LIST_MAX_PAGES; page++) {
    const response = await cloudfront.send(new ListOriginAccessControlsCommand({ Marker: marker }));
    const list = response.OriginAccessControlList;
    const hit = list?.Items?.find((item) => item.Name === name);
    if (hit?.Id) {
      return {
        id: hit.Id,
        name,
        description: hit.Description,
        signingBehavior: hit.SigningBehavior,
        signingProtocol: hit.SigningProtocol,
        originType: hit.OriginAccessControlOriginType,
      };
    }
    marker = list?.IsTruncated ? list.NextMarker : undefined;
    if (!marker) return undefined;
  }
  return undefined;
}
