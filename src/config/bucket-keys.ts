/**
 * Keys tekamolo keeps in the site bucket for itself. They live under one prefix so that the bucket
 * policy can keep CloudFront out of that prefix (the sync manifest lists every key of the site and is not
 * meant to be served) and so that sync and status can tell them from the site's files.
 */
export const PRIVATE_PREFIX = '.tekamolo/';

/** The sync manifest (src/sync/manifest.ts). */
export const SYNC_MANIFEST_KEY = `${PRIVATE_PREFIX}sync-manifest.json`;
