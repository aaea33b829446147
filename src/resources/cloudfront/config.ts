import {
  type CloudFrontClient,
  type Distribution,
  type DistributionConfig,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { hasErrorName } from '../../aws/errors.js';

/**
 * CloudFront guards every change with an ETag: read the current version, send the change with
 * IfMatch. Someone else (the console, another run) may change the resource between the read and the
 * write, which AWS answers with PreconditionFailed; one retry with a freshly read ETag settles it,
 * a second conflict means a concurrent writer and is reported.
 */

/** What a read returns: the value to change and the ETag it carries. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Read, then write with the read's ETag; on PreconditionFailed read again and write once more. */
export async function withFreshETag<T, R>(
  read: () => Promise<Versioned<T>>,
  write: (current: Versioned<T>) => Promise<R>,
): Promise<R> {
  try {
    return await write(await read());
  } catch (error) {
    if (!hasErrorName(error, 'PreconditionFailed', 'InvalidIfMatchVersion')) throw error;
    return write(await read());
  }
}

export interface ConfigChange {
  distribution: Distribution | undefined;
  etag: string | undefined;
  /** False when `change` returned undefined: the fresh config already matched, nothing was sent. */
  changed: boolean;
}

/**
 * GetDistributionConfig, apply `change`, UpdateDistribution with IfMatch: the one way a distribution
 * is changed (update, disable before delete). `change` returns undefined when the fresh config needs
 * nothing, so a disable that already happened is not sent again.
 */
export async function changeDistributionConfig(
  cloudfront: CloudFrontClient,
  id: string,
  change: (config: DistributionConfig) => DistributionConfig | undefined,
): Promise<ConfigChange> {
  return withFreshETag(
    async () => {
      const response = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
      if (!response.DistributionConfig || !response.ETag) {
        throw new Error(`GetDistributionConfig for ${id} returned no config or ETag`);
      }
      return { value: response.DistributionConfig, etag: response.ETag };
    },
    async ({ value, etag }) => {
      const next = change(value);
      if (!next) return { distribution: undefined, etag, changed: false };
      const response = await cloudfront.send(
        new UpdateDistributionCommand({ Id: id, IfMatch: etag, DistributionConfig: next }),
      );
      return { distribution: response.Distribution, etag: response.ETag, changed: true };
    },
  );
}
