/** Ids longer than this are cut for the table; JSON keeps the full id. */
export const SHORT_ID_LENGTH = 24;

const ARN = /^arn:[^:]+:[^:]*:[^:]*:[^:]*:(.+)$/;
const ELB_NAMED = /^(?:loadbalancer\/(?:app|net)\/|targetgroup\/)([^/]+)\//;
const LISTENER = /^listener\/(?:app|net)\/[^/]+\/[^/]+\/([^/]+)$/;

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * An id short enough for a table column that still tells resources apart: the resource part of an ARN,
 * the name of a load balancer or target group, the first characters of a certificate's UUID.
 */
export function shortId(id: string, length = SHORT_ID_LENGTH): string {
  const resource = ARN.exec(id)?.[1];
  if (resource === undefined) return cut(id, length);
  const listener = LISTENER.exec(resource);
  if (listener) return `listener/${listener[1]?.slice(0, 8)}`;
  const named = ELB_NAMED.exec(resource)?.[1];
  if (named) return cut(named, length);
  if (resource.startsWith('certificate/')) return `certificate/${resource.slice(12, 20)}…`;
  return cut(resource, length);
}
