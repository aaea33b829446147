import type {
  CacheBehavior,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
} from '@aws-sdk/client-cloudfront';
import { API_ORIGIN_ID, findApiBehavior, S3_ORIGIN_ID } from './distribution-settings.js';

/** What a behaviour carries beyond the settings tekamolo models for it. */
function behaviorExtras(behavior: DefaultCacheBehavior | CacheBehavior, where: string): string[] {
  const kept: string[] = [];
  if (behavior.ResponseHeadersPolicyId) {
    kept.push(`response-headers policy ${behavior.ResponseHeadersPolicyId} on ${where}`);
  }
  if (behavior.TrustedKeyGroups?.Enabled) kept.push(`trusted key groups on ${where}`);
  if (behavior.TrustedSigners?.Enabled) kept.push(`trusted signers on ${where}`);
  if (behavior.LambdaFunctionAssociations?.Quantity) kept.push(`Lambda@Edge functions on ${where}`);
  if (behavior.FieldLevelEncryptionId) kept.push(`field-level encryption on ${where}`);
  if (behavior.RealtimeLogConfigArn) kept.push(`real-time logs on ${where}`);
  return kept;
}

function originExtras(origin: Origin | undefined): string[] {
  if (!origin) return [];
  const kept: string[] = [];
  if (origin.OriginShield?.Enabled) {
    kept.push(`origin shield (${origin.OriginShield.OriginShieldRegion}) on origin ${origin.Id}`);
  }
  if (origin.Id === S3_ORIGIN_ID && origin.CustomHeaders?.Quantity) {
    kept.push(`custom headers on origin ${origin.Id}`);
  }
  return kept;
}

/**
 * What a distribution carries that tekamolo does not model and leaves as it is on update (someone
 * added it in the console or with other tools), one short line each, for `plan` to show as kept.
 */
export function unmodeled(config: DistributionConfig, apiPath: string): string[] {
  const origins = config.Origins?.Items ?? [];
  const behaviors = config.CacheBehaviors?.Items ?? [];
  const apiBehavior = findApiBehavior(behaviors, apiPath);
  const kept: string[] = [];
  for (const origin of origins) {
    if (origin.Id !== S3_ORIGIN_ID && origin.Id !== API_ORIGIN_ID) {
      kept.push(`origin ${origin.Id} (${origin.DomainName})`);
    }
  }
  kept.push(...originExtras(origins.find((o) => o.Id === S3_ORIGIN_ID)));
  kept.push(...originExtras(origins.find((o) => o.Id === API_ORIGIN_ID)));
  if (config.OriginGroups?.Quantity) kept.push(`${config.OriginGroups.Quantity} origin group(s)`);
  for (const behavior of behaviors) {
    if (behavior !== apiBehavior) {
      kept.push(`cache behaviour ${behavior.PathPattern} → origin ${behavior.TargetOriginId}`);
    }
  }
  const extraFunctions = (config.DefaultCacheBehavior?.FunctionAssociations?.Items ?? []).filter(
    (f) => f.EventType !== 'viewer-request',
  );
  for (const f of extraFunctions) kept.push(`${f.EventType} function on the default behaviour`);
  if (config.DefaultCacheBehavior) {
    kept.push(...behaviorExtras(config.DefaultCacheBehavior, 'the default behaviour'));
  }
  if (apiBehavior) kept.push(...behaviorExtras(apiBehavior, `the ${apiBehavior.PathPattern} behaviour`));
  if (config.WebACLId) kept.push(`web ACL ${config.WebACLId}`);
  if (config.Logging?.Enabled) kept.push(`access logs to ${config.Logging.Bucket}`);
  if (config.CustomErrorResponses?.Quantity) {
    kept.push(`${config.CustomErrorResponses.Quantity} custom error response(s)`);
  }
  const geo = config.Restrictions?.GeoRestriction;
  if (geo && geo.RestrictionType !== 'none') kept.push(`geo restriction (${geo.RestrictionType})`);
  return kept;
}
