import type {
  CacheBehavior,
  DefaultCacheBehavior,
  DistributionConfig,
  HttpVersion,
  Method,
  Origin,
  PriceClass,
} from '@aws-sdk/client-cloudfront';
import { knownValue, type Unknown } from '../../engine/contract.js';

/**
 * The part of a CloudFront distribution's config that tekamolo owns, as flat fields: one field per
 * setting so that a setting the read did not return (the emulator drops OriginAccessControlId and
 * FunctionAssociations) stays unknown on its own instead of making its whole origin "different".
 */
export interface DistributionSettings {
  enabled: boolean;
  aliases: string[];
  certificateArn: string;
  sslSupportMethod: string;
  minimumProtocolVersion: string;
  priceClass: string;
  httpVersion: string;
  ipv6: boolean;
  defaultRootObject: string;
  s3OriginDomain: string;
  s3OriginAccessControlId: string;
  /** Empty: access goes through OAC, not a legacy origin access identity. */
  s3OriginAccessIdentity: string;
  apiOriginDomain: string;
  apiOriginProtocolPolicy: string;
  apiOriginSslProtocols: string[];
  apiOriginHeaderName: string;
  /** The secret origin header's value: compared, never shown. */
  apiOriginSecret: string;
  defaultTargetOrigin: string;
  defaultViewerProtocolPolicy: string;
  defaultCompress: boolean;
  defaultCachePolicyId: string;
  defaultAllowedMethods: string[];
  /** The viewer-request function's ARN; empty when routing is 'none'. */
  routingFunctionArn: string;
  apiPathPattern: string;
  apiTargetOrigin: string;
  apiViewerProtocolPolicy: string;
  apiAllowedMethods: string[];
  apiCachePolicyId: string;
  apiOriginRequestPolicyId: string;
}

export type SettingName = keyof DistributionSettings;

/** The settings taken from the dependencies' outputs. */
type FromDependencies =
  | 'certificateArn'
  | 's3OriginDomain'
  | 's3OriginAccessControlId'
  | 'apiOriginHeaderName'
  | 'apiOriginSecret'
  | 'routingFunctionArn';

/** The settings as `desired` computes them: in `plan`, a dependency that does not exist yet is unknown. */
export type DesiredSettings = Omit<DistributionSettings, FromDependencies> & {
  [K in FromDependencies]: string | Unknown;
};

/** The settings to send to CloudFront: every dependency is known by then. */
export function knownSettings(s: DesiredSettings): DistributionSettings {
  return {
    ...s,
    certificateArn: knownValue(s.certificateArn, 'the CDN certificate'),
    s3OriginDomain: knownValue(s.s3OriginDomain, 'the bucket'),
    s3OriginAccessControlId: knownValue(s.s3OriginAccessControlId, 'the origin access control'),
    apiOriginHeaderName: knownValue(s.apiOriginHeaderName, 'the origin header'),
    apiOriginSecret: knownValue(s.apiOriginSecret, 'the origin secret'),
    routingFunctionArn: knownValue(s.routingFunctionArn, 'the routing function'),
  };
}

/** Fields whose values never appear in a plan or log. */
export const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set<SettingName>(['apiOriginSecret']);

/** Managed policies (the same ids in every account). */
export const MANAGED_POLICY = {
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

export const S3_ORIGIN_ID = 's3';
export const API_ORIGIN_ID = 'api';
const READ_METHODS: Method[] = ['GET', 'HEAD'];
const ALL_METHODS: Method[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** Lists compared as sets: AWS may return items in another order. */
export function sorted(values: string[]): string[] {
  return [...values].sort();
}

export const STATIC_SETTINGS = {
  enabled: true,
  sslSupportMethod: 'sni-only',
  minimumProtocolVersion: 'TLSv1.2_2021',
  httpVersion: 'http2and3',
  ipv6: true,
  defaultRootObject: 'index.html',
  s3OriginAccessIdentity: '',
  apiOriginProtocolPolicy: 'https-only',
  apiOriginSslProtocols: ['TLSv1.2'],
  defaultTargetOrigin: S3_ORIGIN_ID,
  defaultViewerProtocolPolicy: 'redirect-to-https',
  defaultCompress: true,
  defaultCachePolicyId: MANAGED_POLICY.cachingOptimized,
  defaultAllowedMethods: sorted(READ_METHODS),
  apiTargetOrigin: API_ORIGIN_ID,
  apiViewerProtocolPolicy: 'redirect-to-https',
  apiAllowedMethods: sorted(ALL_METHODS),
  apiCachePolicyId: MANAGED_POLICY.cachingDisabled,
  apiOriginRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
} as const satisfies Partial<DistributionSettings>;

function list<T>(items: T[]): { Quantity: number; Items: T[] } {
  return { Quantity: items.length, Items: items };
}

/**
 * Our API behaviour among the cache behaviours: the one with our path pattern, else (the path changed
 * in the config) the first that targets our api origin. Every other behaviour is someone else's.
 */
export function findApiBehavior(
  behaviors: CacheBehavior[] | undefined,
  pathPattern: string,
): CacheBehavior | undefined {
  const all = behaviors ?? [];
  return (
    all.find((b) => b.PathPattern === pathPattern) ?? all.find((b) => b.TargetOriginId === API_ORIGIN_ID)
  );
}

/** `base`'s items with ours put in place of the one `isOurs` picks, or added at the end. */
function replaceOwn<T>(base: T[] | undefined, isOurs: (item: T) => boolean, ours: T): T[] {
  const items = base ?? [];
  const at = items.findIndex(isOurs);
  return at < 0 ? [...items, ours] : items.map((item, i) => (i === at ? ours : item));
}

/**
 * A cache policy cannot be combined with the legacy cache settings: CloudFront refuses a behaviour
 * that has both, so setting our policy drops them.
 */
function withoutLegacyCacheSettings<T extends DefaultCacheBehavior | CacheBehavior>(behavior: T): T {
  const { ForwardedValues: _f, MinTTL: _min, DefaultTTL: _d, MaxTTL: _max, ...rest } = behavior;
  return rest as T;
}

/**
 * The config to send: `base` (the fresh GetDistributionConfig on update) with the settings tekamolo
 * models set to the desired ones, and everything else kept as it is: other origins and cache
 * behaviours, origin shield and timeouts on our origins, response-headers policies, trusted key
 * groups and other function associations on our behaviours, logging, WAF, error responses.
 * Someone added those on purpose; `plan` shows them as kept (see `unmodeled`).
 */
export function applySettings(
  base: DistributionConfig | undefined,
  s: DistributionSettings,
  identity: { callerReference: string; comment: string },
): DistributionConfig {
  const baseOrigins = base?.Origins?.Items;
  const baseS3 = baseOrigins?.find((o) => o.Id === S3_ORIGIN_ID);
  const baseApi = baseOrigins?.find((o) => o.Id === API_ORIGIN_ID);
  const s3Origin: Origin = {
    CustomHeaders: list([]),
    ...baseS3,
    Id: S3_ORIGIN_ID,
    DomainName: s.s3OriginDomain,
    OriginPath: '',
    S3OriginConfig: { ...baseS3?.S3OriginConfig, OriginAccessIdentity: s.s3OriginAccessIdentity },
    OriginAccessControlId: s.s3OriginAccessControlId,
  };
  const apiOrigin: Origin = {
    ...baseApi,
    Id: API_ORIGIN_ID,
    DomainName: s.apiOriginDomain,
    OriginPath: '',
    // The secret header is the ALB's only proof that a request came through CloudFront: wholly ours.
    CustomHeaders: list([{ HeaderName: s.apiOriginHeaderName, HeaderValue: s.apiOriginSecret }]),
    CustomOriginConfig: {
      OriginReadTimeout: 30,
      OriginKeepaliveTimeout: 5,
      ...baseApi?.CustomOriginConfig,
      HTTPPort: 80,
      HTTPSPort: 443,
      OriginProtocolPolicy: s.apiOriginProtocolPolicy as 'https-only',
      OriginSslProtocols: list(s.apiOriginSslProtocols as 'TLSv1.2'[]),
    },
  };
  const baseDefault = base?.DefaultCacheBehavior;
  // Functions for other events (a viewer-response function adding headers) are someone else's.
  const otherFunctions = (baseDefault?.FunctionAssociations?.Items ?? []).filter(
    (f) => f.EventType !== 'viewer-request',
  );
  const defaultBehavior: DefaultCacheBehavior = {
    LambdaFunctionAssociations: list([]),
    FieldLevelEncryptionId: '',
    SmoothStreaming: false,
    ...(baseDefault && withoutLegacyCacheSettings(baseDefault)),
    TargetOriginId: s.defaultTargetOrigin,
    ViewerProtocolPolicy: s.defaultViewerProtocolPolicy as 'redirect-to-https',
    AllowedMethods: { ...list(s.defaultAllowedMethods as Method[]), CachedMethods: list(READ_METHODS) },
    Compress: s.defaultCompress,
    CachePolicyId: s.defaultCachePolicyId,
    // Only the default behavior rewrites paths: /api/* errors must stay API errors.
    FunctionAssociations: list(
      s.routingFunctionArn
        ? [{ EventType: 'viewer-request' as const, FunctionARN: s.routingFunctionArn }, ...otherFunctions]
        : otherFunctions,
    ),
  };
  const baseBehaviors = base?.CacheBehaviors?.Items;
  const baseApiBehavior = findApiBehavior(baseBehaviors, s.apiPathPattern);
  const apiBehavior: CacheBehavior = {
    Compress: false,
    FunctionAssociations: list([]),
    LambdaFunctionAssociations: list([]),
    FieldLevelEncryptionId: '',
    SmoothStreaming: false,
    ...(baseApiBehavior && withoutLegacyCacheSettings(baseApiBehavior)),
    PathPattern: s.apiPathPattern,
    TargetOriginId: s.apiTargetOrigin,
    ViewerProtocolPolicy: s.apiViewerProtocolPolicy as 'redirect-to-https',
    AllowedMethods: { ...list(s.apiAllowedMethods as Method[]), CachedMethods: list(READ_METHODS) },
    CachePolicyId: s.apiCachePolicyId,
    OriginRequestPolicyId: s.apiOriginRequestPolicyId,
  };
  const origins = replaceOwn(
    replaceOwn(baseOrigins, (o) => o.Id === S3_ORIGIN_ID, s3Origin),
    (o) => o.Id === API_ORIGIN_ID,
    apiOrigin,
  );
  const behaviors = replaceOwn(baseBehaviors, (b) => b === baseApiBehavior, apiBehavior);
  return {
    ...base,
    CallerReference: base?.CallerReference ?? identity.callerReference,
    Comment: identity.comment,
    Enabled: s.enabled,
    Aliases: list(s.aliases),
    DefaultRootObject: s.defaultRootObject,
    Origins: list(origins),
    DefaultCacheBehavior: defaultBehavior,
    CacheBehaviors: list(behaviors),
    ViewerCertificate: {
      CloudFrontDefaultCertificate: false,
      ACMCertificateArn: s.certificateArn,
      SSLSupportMethod: s.sslSupportMethod as 'sni-only',
      MinimumProtocolVersion: s.minimumProtocolVersion as 'TLSv1.2_2021',
    },
    PriceClass: s.priceClass as PriceClass,
    HttpVersion: s.httpVersion as HttpVersion,
    IsIPV6Enabled: s.ipv6,
    Restrictions: base?.Restrictions ?? { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
  };
}

/**
 * The owned settings as AWS returned them. A field AWS did not return at all stays undefined
 * (unknown); a part that is missing (the api origin deleted behind our back) reads as empty, which
 * is a real difference.
 */
export function readSettings(config: DistributionConfig, apiPath: string): Partial<DistributionSettings> {
  const origins = config.Origins?.Items ?? [];
  const s3 = origins.find((o) => o.Id === S3_ORIGIN_ID);
  const api = origins.find((o) => o.Id === API_ORIGIN_ID);
  const header = api?.CustomHeaders?.Items?.[0];
  const behavior = config.DefaultCacheBehavior;
  const apiBehavior = findApiBehavior(config.CacheBehaviors?.Items, apiPath);
  const cert = config.ViewerCertificate;
  return {
    enabled: config.Enabled,
    aliases: config.Aliases ? sorted(config.Aliases.Items ?? []) : undefined,
    certificateArn: cert ? (cert.ACMCertificateArn ?? '') : undefined,
    sslSupportMethod: cert?.SSLSupportMethod,
    minimumProtocolVersion: cert?.MinimumProtocolVersion,
    priceClass: config.PriceClass,
    httpVersion: config.HttpVersion,
    ipv6: config.IsIPV6Enabled,
    defaultRootObject: config.DefaultRootObject,
    s3OriginDomain: s3 ? s3.DomainName : '',
    s3OriginAccessControlId: s3 ? s3.OriginAccessControlId : '',
    s3OriginAccessIdentity: s3 ? s3.S3OriginConfig?.OriginAccessIdentity : '',
    apiOriginDomain: api ? api.DomainName : '',
    apiOriginProtocolPolicy: api ? (api.CustomOriginConfig?.OriginProtocolPolicy ?? '') : '',
    apiOriginSslProtocols: api ? sorted(api.CustomOriginConfig?.OriginSslProtocols?.Items ?? []) : [],
    apiOriginHeaderName: api ? (header?.HeaderName ?? '') : '',
    apiOriginSecret: api ? (header?.HeaderValue ?? '') : '',
    defaultTargetOrigin: behavior?.TargetOriginId,
    defaultViewerProtocolPolicy: behavior?.ViewerProtocolPolicy,
    defaultCompress: behavior?.Compress,
    defaultCachePolicyId: behavior ? (behavior.CachePolicyId ?? '') : undefined,
    defaultAllowedMethods: behavior?.AllowedMethods ? sorted(behavior.AllowedMethods.Items ?? []) : undefined,
    routingFunctionArn: behavior?.FunctionAssociations
      ? (behavior.FunctionAssociations.Items?.find((f) => f.EventType === 'viewer-request')?.FunctionARN ??
        '')
      : undefined,
    apiPathPattern: apiBehavior ? apiBehavior.PathPattern : '',
    apiTargetOrigin: apiBehavior ? apiBehavior.TargetOriginId : '',
    apiViewerProtocolPolicy: apiBehavior ? apiBehavior.ViewerProtocolPolicy : '',
    apiAllowedMethods: apiBehavior ? sorted(apiBehavior.AllowedMethods?.Items ?? []) : [],
    apiCachePolicyId: apiBehavior ? (apiBehavior.CachePolicyId ?? '') : '',
    apiOriginRequestPolicyId: apiBehavior ? (apiBehavior.OriginRequestPolicyId ?? '') : '',
  };
}
