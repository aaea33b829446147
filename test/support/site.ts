import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/**
 * What sync-frontend needs and `up` would have built, made directly through the SDK for the sync
 * tests: the site bucket tagged with the stack, and a distribution with the stack's comment in front of
 * it (how sync-frontend finds both without a state file). The clients read AWS_ENDPOINT_URL from
 * process.env, which startMoto() sets.
 */
export interface SiteOptions {
  stack: string;
  bucket: string;
  region: string;
}

/** Creates the bucket and the distribution; returns the distribution's id. */
export async function createSite(options: SiteOptions): Promise<string> {
  const { stack, bucket, region } = options;
  const s3 = new S3Client({ region });
  const cloudfront = new CloudFrontClient({ region: 'us-east-1' });
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
      }),
    );
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: [{ Key: 'tekamolo:stack', Value: stack }] },
      }),
    );
    const created = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: `site-${stack}-${Date.now()}`,
          Comment: `tekamolo:${stack}`,
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 's3',
                DomainName: `${bucket}.s3.${region}.amazonaws.com`,
                S3OriginConfig: { OriginAccessIdentity: '' },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 's3',
            ViewerProtocolPolicy: 'redirect-to-https',
            // The managed CachingOptimized policy.
            CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
          },
        },
      }),
    );
    const id = created.Distribution?.Id;
    if (!id) throw new Error('CreateDistribution returned no id');
    return id;
  } finally {
    s3.destroy();
    cloudfront.destroy();
  }
}
