import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/engine/plan.js';
import {
  assertBuilt,
  changingCalls,
  countStack,
  createZone,
  type E2eProject,
  jsonLines,
  NONE_LEFT,
  readTrace,
  runCli,
  Sdk,
  writeProject,
} from '../support/e2e.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/**
 * Leftovers end to end: what carries the stack's tag but is not what the config wants. The state file
 * is lost and the port changed, so the old target group is found by nothing but its tag.
 */

const STACK = 'left';
const REGION = 'eu-central-1';

interface RunFinished {
  code: 'run-finished';
  counts: Record<string, number>;
}

interface ResourceDone {
  code: 'resource-done';
  key: string;
  action: string;
}

describe.skipIf(!motoAvailable())('leftovers end to end', () => {
  const moto = useMoto();
  let sdk: Sdk;
  let project: E2eProject;
  let zoneId: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[]) => runCli(['-c', project.config, ...args], { env, cwd: project.dir });

  async function targetGroupNames(): Promise<string[]> {
    const result = await sdk.elbv2.send(new DescribeTargetGroupsCommand({}));
    return (result.TargetGroups ?? []).map((g) => String(g.TargetGroupName)).sort();
  }

  /** Every ARN the Tagging API lists under the stack's tag in one region, instances that ended left out. */
  async function taggedArns(region: string): Promise<string[]> {
    const tagging = new ResourceGroupsTaggingAPIClient({ region });
    try {
      const result = await tagging.send(
        new GetResourcesCommand({ TagFilters: [{ Key: 'tekamolo:stack', Values: [STACK] }] }),
      );
      return (result.ResourceTagMappingList ?? []).map((m) => String(m.ResourceARN));
    } finally {
      tagging.destroy();
    }
  }

  beforeAll(async () => {
    assertBuilt();
    sdk = new Sdk(REGION);
  });
  afterAll(async () => {
    sdk?.destroy();
  });
  beforeEach(async () => {
    zoneId = await createZone('example.com');
    project = await writeProject({ stack: STACK, domain: 'example.com' });
    env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true' });
  });

  it('state lost + port changed: plan shows the old target group as leftover with the counts up then has; up deletes it; destroy leaves nothing tagged', async () => {
    const first = await cli(['up']);
    expect(first.code, first.stderr).toBe(0);
    expect(await targetGroupNames()).toEqual([`${STACK}-tg-8080`]);

    await rm(join(project.dir, '.tekamolo'), { recursive: true });
    const config = await readFile(project.config, 'utf8');
    await writeFile(project.config, config.replace('backend:\n', 'backend:\n  port: 8081\n'));

    const planned = await cli(['--json', 'plan', '--exit-code']);
    expect(planned.code, planned.stderr).toBe(3);
    const plan = JSON.parse(planned.stdout) as Plan;
    expect(plan.leftovers.map((l) => [l.key, l.id.includes(`/${STACK}-tg-8080/`)])).toEqual([
      ['targetGroup', true],
    ]);
    const changing = plan.resources
      .filter((r) => r.action !== 'noop')
      .map((r) => `${r.key} ${r.action}`)
      .sort();
    // The new port: a new target group, the listener rule and the group moved to it, the instances'
    // ingress opened on it. Nothing else (before, the distribution and its dependents were "created").
    expect(changing).toEqual([
      'autoScalingGroup update',
      'listener update',
      'sg.instances update',
      'targetGroup create',
    ]);
    expect(plan.summary).toMatchObject({
      create: 1,
      update: 3,
      replace: 0,
      takeover: 0,
      leftover: 1,
      errors: 0,
    });

    const status = await cli(['--json', 'status']);
    const rows = (JSON.parse(status.stdout) as { resources: { key: string; state: string; id: string }[] })
      .resources;
    expect(rows.filter((r) => r.state === 'leftover').map((r) => [r.key, r.id])).toEqual([
      ['targetGroup', plan.leftovers[0]?.id],
    ]);

    const traceFile = join(project.dir, 'up.jsonl');
    const up = await cli(['--json', '--trace', traceFile, 'up']);
    expect(up.code, up.stderr).toBe(0);
    const events = jsonLines<RunFinished | ResourceDone>(up.stdout);
    const done = events
      .filter((e): e is ResourceDone => e.code === 'resource-done' && e.action !== 'noop')
      .map((e) => `${e.key} ${e.action}`)
      .sort();
    expect(done).toEqual([...changing, 'targetGroup delete'].sort());
    const finished = events.find((e): e is RunFinished => e.code === 'run-finished');
    expect(finished?.counts).toMatchObject({
      create: plan.summary.create,
      update: plan.summary.update,
      delete: plan.summary.leftover,
    });
    // The old group was deleted with the target group's own deletion, once nothing used it.
    const calls = await readTrace(traceFile);
    expect(changingCalls(calls).at(-1)).toBe('elasticloadbalancingv2:DeleteTargetGroup');
    // One GetResources per region (the stack's and us-east-1), traced under the service's own id.
    expect(
      calls
        .filter((c) => c.service === 'resourcegroupstaggingapi')
        .map((c) => `${c.operation} ${c.region}`)
        .sort(),
    ).toEqual(['GetResources eu-central-1', 'GetResources us-east-1']);
    expect(await targetGroupNames()).toEqual([`${STACK}-tg-8081`]);

    const again = await cli(['--json', 'plan', '--exit-code']);
    expect(again.code, again.stdout).toBe(0);

    const destroyed = await cli(['-y', 'destroy']);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    for (const region of [REGION, 'us-east-1']) {
      const left = await taggedArns(region);
      expect(
        left.filter((arn) => !arn.includes(':instance/')),
        region,
      ).toEqual([]);
    }
    const counts = await countStack(sdk, STACK, zoneId);
    expect({ ...counts, records: 0 }).toEqual({ ...NONE_LEFT, records: 0 });
  }, 180_000);
});
