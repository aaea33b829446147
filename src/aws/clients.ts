import { ACMClient } from '@aws-sdk/client-acm';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { VERSION } from '../version.js';
import { addTraceMiddleware, Tracer } from './trace.js';

/**
 * One client per service and region, created on first use. This module imports the SDK, so only the
 * commands that talk to AWS import it (lazily, from the CLI): `--help` and `validate` never load it.
 */

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
  ssm: 'ssm',
  sts: 'sts',
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

  constructor(options: AwsOptions) {
    this.region = options.region;
    this.tracer = options.tracer ?? new Tracer();
    this.maxAttempts = options.maxAttempts ?? 6;
    this.credentials = options.profile ? fromIni({ profile: options.profile }) : undefined;
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

  private get<T extends { middlewareStack: unknown }>(
    service: keyof typeof SERVICE_IDS,
    region: string,
    make: () => T,
  ): T {
    const key = `${service}@${region}`;
    let client = this.clients.get(key) as T | undefined;
    if (!client) {
      client = make();
      // biome-ignore lint/suspicious/noExplicitAny: the stack's input/output types differ per client
      addTraceMiddleware(client.middlewareStack as any, this.tracer, SERVICE_IDS[service], region);
      this.clients.set(key, client);
    }
    return client;
  }

  s3(region = this.region): S3Client {
    // Under an endpoint override (a local emulator, a proxy) virtual-hosted bucket names do not resolve.
    return this.get(
      's3',
      region,
      () => new S3Client({ ...this.base(region), forcePathStyle: endpointOverridden('S3') }),
    );
  }
  ec2(region = this.region): EC2Client {
    return this.get('ec2', region, () => new EC2Client(this.base(region)));
  }
  elbv2(region = this.region): ElasticLoadBalancingV2Client {
    return this.get('elbv2', region, () => new ElasticLoadBalancingV2Client(this.base(region)));
  }
  autoscaling(region = this.region): AutoScalingClient {
    return this.get('autoscaling', region, () => new AutoScalingClient(this.base(region)));
  }
  ssm(region = this.region): SSMClient {
    return this.get('ssm', region, () => new SSMClient(this.base(region)));
  }
  acm(region = this.region): ACMClient {
    return this.get('acm', region, () => new ACMClient(this.base(region)));
  }
  cloudfront(): CloudFrontClient {
    return this.get('cloudfront', GLOBAL_REGION, () => new CloudFrontClient(this.base(GLOBAL_REGION)));
  }
  route53(): Route53Client {
    return this.get('route53', GLOBAL_REGION, () => new Route53Client(this.base(GLOBAL_REGION)));
  }
  sts(): STSClient {
    return this.get('sts', this.region, () => new STSClient(this.base(this.region)));
  }

  destroy(): void {
    for (const client of this.clients.values()) (client as { destroy(): void }).destroy();
    this.clients.clear();
  }
}
