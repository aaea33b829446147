import { describe, expect, it } from 'vitest';
import { buildGraph, reversed } from '../../../src/engine/graph.js';
import { stack } from '../../../src/resources/index.js';
import { testConfig } from '../../support/context.js';

/**
 * The order destroy deletes the real stack in (ARCHITECTURE §3, the destroy issue): each pair below is
 * "the first is deleted (and done) before the second starts". Checked on the walk's dependencies, so
 * it holds whatever runs in parallel.
 */

const MUST_PRECEDE: [string, string][] = [
  ['dnsAlias', 'distribution'],
  // What the distribution uses goes after it: the bucket policy, the origin access control, the function.
  ['distribution', 'bucketPolicy'],
  ['distribution', 'oac'],
  ['distribution', 'spaFunction'],
  ['distribution', 'bucket'],
  ['bucketPolicy', 'bucket'],
  ['distribution', 'originRecord'],
  ['distribution', 'listener'],
  ['elasticIp', 'autoScalingGroup'],
  ['autoScalingGroup', 'launchTemplate'],
  ['autoScalingGroup', 'targetGroup'],
  ['listener', 'loadBalancer'],
  ['listener', 'targetGroup'],
  ['originRecord', 'loadBalancer'],
  ['launchTemplate', 'sg.instances'],
  ['sg.instances', 'sg.alb'],
  ['loadBalancer', 'sg.alb'],
  ['listener', 'validation'],
  ['distribution', 'validation'],
  ['validation', 'certificate.cdn'],
  ['validation', 'certificate.origin'],
];

/** Everything that must be finished before `key` starts, through the walk's dependencies. */
function finishedBefore(deps: Map<string, string[]>, key: string, seen = new Set<string>()): Set<string> {
  for (const d of deps.get(key) ?? []) {
    if (seen.has(d)) continue;
    seen.add(d);
    finishedBefore(deps, d, seen);
  }
  return seen;
}

describe('destroy order of the stack', () => {
  const graph = buildGraph(stack, testConfig({ frontend: { routing: 'spa' } }));
  const order = reversed(graph);

  it.each(MUST_PRECEDE)('%s is gone before %s starts', (first, second) => {
    expect(finishedBefore(order.deps, second).has(first)).toBe(true);
  });

  it('lists every resource once, each after what it waits for', () => {
    expect([...order.order].sort()).toEqual([...graph.resources.keys()].sort());
    const seen = new Set<string>();
    for (const key of order.order) {
      for (const d of order.deps.get(key) ?? []) expect(seen.has(d), `${d} before ${key}`).toBe(true);
      seen.add(key);
    }
  });

  it('independent branches stay parallel: the backend does not wait for CloudFront', () => {
    expect(finishedBefore(order.deps, 'autoScalingGroup').has('distribution')).toBe(false);
    expect(finishedBefore(order.deps, 'elasticIp').size).toBe(0);
    expect(finishedBefore(order.deps, 'dnsAlias').size).toBe(0);
  });
});
