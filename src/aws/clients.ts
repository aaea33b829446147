import { createRequire } from 'node:module';
import type { ACMClient } from '@aws-sdk/client-acm';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { VERSION } from '../version.js';
import { addSharedReadsMiddleware, SharedReads } from './shared-reads.js';
import { addTraceMiddleware, Tracer } from './trace.js';

/**
 * One client per service and region, created on first use. Each SDK package is loaded only when its
 * first client is made: loading all ten costs about a second of CPU, and `sync-frontend` needs three.
 * The packages have no `exports` map, so `require` gives the very module an `import` of them gives
 * (the one tests mock).
 */
const load = createRequire(import.meta.url);
const sdk = {
  s3: () => load('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3'),
  ec2: () => load('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2'),
  elbv2: () =>
    load(
      '@aws-sdk/client-elastic-load-balancing-v2',
    ) as typeof import('@aws-sdk/client-elastic-load-balancing-v2'),
  autoscaling: () => load('@aws-sdk/client-auto-scaling') as typeof import('@aws-sdk/client-auto-scaling'),
  iam: () => load('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam'),
  ssm: () => load('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm'),
  acm: () => load('@aws-sdk/client-acm') as typeof import('@aws-sdk/client-acm'),
  cloudfront: () => load('@aws-sdk/client-cloudfront') as typeof import('@aws-sdk/client-cloudfront'),
  route53: () => load('@aws-sdk/client-route-53') as typeof import('@aws-sdk/client-route-53'),
  tagging: () =>
    load(
      '@aws-sdk/client-resource-groups-tagging-api',
    ) as typeof import('@aws-sdk/client-resource-groups-tagging-api'),
  sts: () => load('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts'),
  credentials: () => load('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers'),
};

export interface AwsOptions {
  /** The stack's region (ALB, EC2, bucket). */
  region: string;
  profile?: string;
  tracer?: Tracer;
  /** Upper bound of attempts per call (adaptive retry mode). */
  maxAttempts?: number;
}

/** Global services are called in us-east-1; ACM for CloudFront is always us-east-1. */
export const GLOBAL_REGION = 'us-east-1';

const SERVICE_IDS = {
  s3: 's3',
  ec2: 'ec2',
  elbv2: 'elasticloadbalancingv2',
  cloudfront: 'cloudfront',
  route53: 'route53',
  acm: 'acm',
  autoscaling: 'autoscaling',
  iam: 'iam',
  ssm: 'ssm',
  sts: 'sts',
  tagging: 'resourcegroupstaggingapi',
} as const;

/** Whether an endpoint override is in effect (AWS_ENDPOINT_URL or the service's own variable). */
export function endpointOverridden(serviceEnvSuffix: string): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL || process.env[`AWS_ENDPOINT_URL_${serviceEnvSuffix}`]);
}

/**
 * A request that gets no answer must not hang a run for ever: the SDK's default has no timeout. Slow
 * but healthy calls (CloudFront updates, large DeleteObjects batches) answer well within a minute.
 */
export const REQUEST_TIMEOUT_MS = 60_000;
export const CONNECTION_TIMEOUT_MS = 10_000;

interface BaseClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  customUserAgent: string;
  requestHandler: { requestTimeout: number; connectionTimeout: number };
  credentials?: AwsCredentialIdentityProvider;
}

export class Aws {
  readonly region: string;
  readonly tracer: Tracer;
  private readonly clients = new Map<string, unknown>();
  private readonly credentials: AwsCredentialIdentityProvider | undefined;
  private readonly maxAttempts: number;
  /** The answers of the reading under way, if any (`reading`). */
  private shared: SharedReads | undefined;

  constructor(options: AwsOptions) {
    this.region = options.region;
    this.tracer = options.tracer ?? new Tracer();
    this.maxAttempts = options.maxAttempts ?? 6;
    this.credentials = options.profile ? sdk.credentials().fromIni({ profile: options.profile }) : undefined;
  }

  private base(region: string): BaseClientConfig {
    const config: BaseClientConfig = {
      region,
      maxAttempts: this.maxAttempts,
      retryMode: 'adaptive',
      customUserAgent: `tekamolo/${VERSION}`,
      requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS },
    };
    if (this.credentials) config.credentials = this.credentials;
    return config;
  }

  private s3Config(region: string) {
    return {
      ...this.base(region),
      // Under an endpoint override (a local emulator, a proxy) virtual-hosted bucket names do not resolve.
      forcePathStyle: endpointOverridden('S3'),
      // By default the SDK adds a CRC32 of every body it sends: a second pass over each uploaded file.
      // Uploads carry Content-MD5 (computed for the comparison anyway), which S3 checks; operations that
      // require a checksum (DeleteObjects) still get one.
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    };
  }

  private get<T extends { middlewareStack: unknown }>(
    service: keyof typeof SERVICE_IDS,
    region: string,
    make: () => T,
    variant = '',
  ): T {
    const key = `${service}@${region}${variant}`;
    let client = this.clients.get(key) as T | undefined;
    if (!client) {
      client = make();
      // biome-ignore lint/suspicious/noExplicitAny: the stack's input/output types differ per client
      addTraceMiddleware(client.middlewareStack as any, this.tracer, SERVICE_IDS[service], region);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      addSharedReadsMiddleware(client.middlewareStack as any, () => this.shared, key);
      this.clients.set(key, client);
    }
    return client;
  }

  s3(region = this.region): S3Client {
    return this.get('s3', region, () => new (sdk.s3().S3Client)(this.s3Config(region)));
  }
  /**
   * An S3 client for the calls of one bucket only (a sync's thousands of PUTs): the SDK resolves its
   * middleware stack once per command class instead of once per call (`cacheMiddleware`, documented as
   * worth up to a millisecond of CPU a request). A cached stack shares one context, where the endpoint
   * of the call is kept, between the calls in flight: right only while they all go to the same bucket,
   * hence one client per bucket. The SDK uses the cache for calls sent without options (no abortSignal).
   */
  bucket(bucket: string, region = this.region): S3Client {
    return this.get(
      's3',
      region,
      () => new (sdk.s3().S3Client)({ ...this.s3Config(region), cacheMiddleware: true }),
      ` ${bucket}`,
    );
  }
  ec2(region = this.region): EC2Client {
    return this.get('ec2', region, () => new (sdk.ec2().EC2Client)(this.base(region)));
  }
  elbv2(region = this.region): ElasticLoadBalancingV2Client {
    return this.get('elbv2', region, () => new (sdk.elbv2().ElasticLoadBalancingV2Client)(this.base(region)));
  }
  autoscaling(region = this.region): AutoScalingClient {
    return this.get(
      'autoscaling',
      region,
      () => new (sdk.autoscaling().AutoScalingClient)(this.base(region)),
    );
  }
  /** IAM is global: one endpoint, in us-east-1 for the aws partition. */
  iam(): IAMClient {
    return this.get('iam', GLOBAL_REGION, () => new (sdk.iam().IAMClient)(this.base(GLOBAL_REGION)));
  }
  ssm(region = this.region): SSMClient {
    return this.get('ssm', region, () => new (sdk.ssm().SSMClient)(this.base(region)));
  }
  acm(region = this.region): ACMClient {
    return this.get('acm', region, () => new (sdk.acm().ACMClient)(this.base(region)));
  }
  cloudfront(): CloudFrontClient {
    return this.get(
      'cloudfront',
      GLOBAL_REGION,
      () => new (sdk.cloudfront().CloudFrontClient)(this.base(GLOBAL_REGION)),
    );
  }
  route53(): Route53Client {
    return this.get(
      'route53',
      GLOBAL_REGION,
      () => new (sdk.route53().Route53Client)(this.base(GLOBAL_REGION)),
    );
  }
  /** Everything under a tag in one region, whatever the service (leftovers of the stack). */
  tagging(region = this.region): ResourceGroupsTaggingAPIClient {
    return this.get(
      'tagging',
      region,
      () => new (sdk.tagging().ResourceGroupsTaggingAPIClient)(this.base(region)),
    );
  }
  sts(): STSClient {
    return this.get('sts', this.region, () => new (sdk.sts().STSClient)(this.base(this.region)));
  }

  /**
   * Runs `read` as one reading (`status`): while it runs, an identical read-only request made twice
   * through these clients is sent once (aws/shared-reads.ts). A reading inside a reading is the same one.
   */
  async reading<T>(read: () => Promise<T>): Promise<T> {
    if (this.shared) return read();
    this.shared = new SharedReads();
    try {
      return await read();
    } finally {
      this.shared = undefined;
    }
  }

  destroy(): void {
    for (const client of this.clients.values()) (client as { destroy(): void }).destroy();
    this.clients.clear();
  }
}
