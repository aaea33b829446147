import { beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import type { Actual, AnyResource, Change } from '../../../src/engine/contract.js';
import { destroy, discoverForDestroy } from '../../../src/engine/destroy.js';
import { stack } from '../../../src/resources/index.js';
import { testConfig } from '../../support/context.js';
import { fakeEnv } from '../../support/fake-resources.js';

/**
 * Every real handler's `ownership`, enforced by the engine. Each kind's `find` is replaced by one that
 * returns what a state file copied from another stack leads to: a resource carrying the evidence of
 * `owner` (its stack tag, the OAC description, the function comment, the load balancer it sits on).
 * The handler's own steps are spies: nothing here talks to AWS.
 */

const config = testConfig({ stack: 'demo', backend: { sessionManager: true } });
const kinds = stack.filter((r) => !r.readOnly && (r.enabled?.(config) ?? true));

interface Steps {
  updated: string[];
  deleted: string[];
}

/** What each handler's `ownership` reads, for a resource that `owner` wrote. */
function evidence(key: string, owner: string): Actual & Record<string, unknown> {
  return {
    id: `${key}-of-${owner}`,
    arn: `arn:aws:test:::${key}-of-${owner}`,
    name: `${owner}-${key}`,
    publicIp: '198.51.100.7',
    tags: { 'tekamolo:stack': owner, 'tekamolo:resource': key },
    description: `tekamolo:${owner}`,
    comment: `tekamolo:${owner} spa routing`,
    loadBalancerArn: `arn:aws:test:::loadBalancer-of-${owner}`,
  };
}

/** The real handler with its AWS steps replaced: found as `owner` left it, one field to update. */
function standIn(resource: AnyResource, owner: string, steps: Steps): AnyResource {
  const change: Change = { field: 'setting', from: 'theirs', to: 'ours', action: 'update' };
  return {
    key: resource.key,
    title: resource.title,
    dependsOn: resource.dependsOn,
    ...(resource.readOnly ? { readOnly: true } : {}),
    ...(resource.enabled ? { enabled: resource.enabled } : {}),
    ownership: resource.ownership,
    desired: () => ({}),
    find: async () => evidence(resource.key, owner),
    diff: () => (resource.readOnly ? [] : [change]),
    create: async () => {
      throw new Error(`${resource.key} was found: create must not be called`);
    },
    update: async (_ctx, _desired, actual: Actual) => {
      steps.updated.push(resource.key);
      return actual;
    },
    delete: async () => {
      steps.deleted.push(resource.key);
    },
    outputs: (actual: Actual) => ({ id: actual.id, arn: `arn:aws:test:::${resource.key}-of-${owner}` }),
  };
}

async function run(owner: string) {
  const steps: Steps = { updated: [], deleted: [] };
  const resources = stack.map((r) => standIn(r, owner, steps));
  const up = await fakeEnv(resources, { config, options: { yes: true }, answer: true });
  const result = await apply(up);
  const down = await fakeEnv(resources, { config, options: { yes: true }, dir: up.dir });
  const found = await discoverForDestroy(down);
  const destroyed = await destroy(down, found);
  return { steps, result, found, destroyed };
}

describe('ownership of every resource kind', () => {
  it('every handler supplies how its ownership is proved', () => {
    for (const resource of stack) expect(typeof resource.ownership, resource.key).toBe('function');
  });

  describe("another stack's resources (found through a copied state file)", () => {
    let runs: Awaited<ReturnType<typeof run>>;
    beforeAll(async () => {
      runs = await run('other');
    });

    it.each(kinds.map((k) => k.key))('%s is neither updated nor deleted', (key) => {
      const { steps, found, destroyed } = runs;
      expect(steps.updated).not.toContain(key);
      expect(steps.deleted).not.toContain(key);
      expect(found.resources.find((t) => t.key === key)).toMatchObject({
        action: 'keep',
        reason: expect.stringContaining("not this stack's"),
      });
      expect(destroyed.failures.map((f) => f.key)).toContain(key);
    });

    it('up and destroy both fail; --yes took nothing over', () => {
      const { result, destroyed } = runs;
      expect(result.ok).toBe(false);
      expect(destroyed.ok).toBe(false);
      expect([...result.actions.values()]).not.toContain('takeover');
    });
  });

  describe("this stack's own resources", () => {
    let runs: Awaited<ReturnType<typeof run>>;
    beforeAll(async () => {
      runs = await run('demo');
    });

    it.each(kinds.map((k) => k.key))('%s is updated and deleted', (key) => {
      const { steps } = runs;
      expect(steps.updated).toContain(key);
      expect(steps.deleted).toContain(key);
    });

    it('up and destroy succeed', () => {
      const { result, destroyed } = runs;
      expect(result.ok).toBe(true);
      expect(destroyed.ok).toBe(true);
    });
  });
});
