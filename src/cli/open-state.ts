import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Aws } from '../aws/clients.js';
import type { LoadedConfig } from '../config/load.js';
import { S3Backend } from '../state/s3-backend.js';
import { whoAmI } from '../state/s3-lock.js';
import { checkStateBucket, type StateBucketFound } from '../state/state-bucket.js';

/** Where a state kept in S3 is: the bucket, its region, the key. */
export interface RemotePlace {
  s3: S3Client;
  bucket: string;
  region: string;
  key: string;
}

/** The state's key in its bucket: `state.key`, else one per stack and stage. */
export function stateKey({ config, stage }: Pick<LoadedConfig, 'config' | 'stage'>): string {
  if (config.state.key) return config.state.key;
  return stage ? `${stage.stack}/${stage.name}.json` : `${config.stack}/default.json`;
}

/** Where the state of a config with `state.bucket` is kept; undefined for a local state file. */
export function remotePlace(loaded: LoadedConfig, aws: Aws): RemotePlace | undefined {
  const { config } = loaded;
  const bucket = config.state.bucket;
  if (!bucket) return undefined;
  const region = config.state.region ?? config.region;
  return { s3: aws.s3(region), bucket, region, key: stateKey(loaded) };
}

export interface RemoteStateOptions {
  accountId: string;
  command: string;
  /** `up` creates a missing state bucket (after `confirm`); every other command leaves it missing. */
  createBucket: boolean;
  confirm(question: string): Promise<boolean>;
  warn(message: string): void;
}

/** The S3 backend of `state.bucket`, after checking the bucket is this account's. */
export async function openRemoteState(
  place: RemotePlace,
  options: RemoteStateOptions,
): Promise<{ backend: S3Backend; bucket: StateBucketFound }> {
  const { s3, bucket, region, key } = place;
  const found = await checkStateBucket({
    s3,
    bucket,
    region,
    accountId: options.accountId,
    create: options.createBucket,
    confirm: options.confirm,
    warn: options.warn,
  });
  const writer = { command: options.command, by: `${whoAmI()}@${hostname()}` };
  return { backend: new S3Backend(s3, bucket, key, writer), bucket: found };
}
