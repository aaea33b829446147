import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ListCertificatesCommand, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/state/types.js';
import {
  type CliRun,
  changingCalls,
  createZone,
  type E2eProject,
  readTrace,
  runCli,
  Sdk,
  writeProject,
  zoneRecords,
} from '../support/e2e.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/**
 * Two stacks in one account, and a state file copied from stack A's folder into stack B's with only the
 * stack name changed (people copy folders, restore backups). Whatever B runs, nothing of A changes: read
 * back through the SDK (never through tekamolo), A's whole account inventory, the site's objects
 * included, is the same before and after.
 */

/** Everything in the account (A's stack, both hosted zones), one line per thing and its settings. */
async function inventory(sdk: Sdk, zoneIds: string[]): Promise<string[]> {
  const lines: string[] = [];
  const add = (what: string, value: unknown) => lines.push(`${what} ${JSON.stringify(value)}`);
  for (const zoneId of zoneIds) {
    for (const r of await zoneRecords(sdk.route53, zoneId)) add(`route53 ${zoneId} ${r.Name} ${r.Type}`, r);
  }
  for (const acm of [sdk.acmGlobal, sdk.acmHere]) {
    for (const c of (await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? []) {
      const tags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: c.CertificateArn }));
      add(`acm ${c.CertificateArn}`, tags.Tags);
    }
  }
  for (const d of (await sdk.cloudfront.send(new ListDistributionsCommand({}))).DistributionList?.Items ??
    []) {
    const config = await sdk.cloudfront.send(new GetDistributionConfigCommand({ Id: d.Id }));
    const tags = await sdk.cloudfront.send(new ListTagsForResourceCommand({ Resource: d.ARN }));
    add(`cloudfront distribution ${d.Id}`, [config.DistributionConfig, tags.Tags]);
  }
  const oacs = await sdk.cloudfront.send(new ListOriginAccessControlsCommand({}));
  for (const o of oacs.OriginAccessControlList?.Items ?? []) add(`cloudfront oac ${o.Id}`, o);
  for (const b of (await sdk.s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
    const tags = await sdk.s3.send(new GetBucketTaggingCommand({ Bucket: b.Name }));
    const policy = await sdk.s3.send(new GetBucketPolicyCommand({ Bucket: b.Name }));
    const objects = await sdk.s3.send(new ListObjectsV2Command({ Bucket: b.Name }));
    add(`s3 bucket ${b.Name}`, [tags.TagSet, policy.Policy]);
    for (const o of objects.Contents ?? []) add(`s3 object ${b.Name}/${o.Key}`, o.ETag);
  }
  const groups = await sdk.ec2.send(new DescribeSecurityGroupsCommand({}));
  for (const g of groups.SecurityGroups ?? []) add(`ec2 security-group ${g.GroupId}`, g);
  const templates = await sdk.ec2.send(new DescribeLaunchTemplatesCommand({}));
  for (const t of templates.LaunchTemplates ?? []) add(`ec2 launch-template ${t.LaunchTemplateId}`, t);
  for (const a of (await sdk.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []) {
    add(`ec2 address ${a.AllocationId}`, a);
  }
  for (const r of (await sdk.ec2.send(new DescribeInstancesCommand({}))).Reservations ?? []) {
    for (const i of r.Instances ?? []) add(`ec2 instance ${i.InstanceId}`, [i.State?.Name, i.Tags]);
  }
  const balancers = (await sdk.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const targetGroups = (await sdk.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  for (const lb of balancers) {
    add(`elbv2 load-balancer ${lb.LoadBalancerArn}`, lb);
    const listeners = await sdk.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    for (const l of listeners.Listeners ?? []) {
      const rules = await sdk.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }));
      add(`elbv2 listener ${l.ListenerArn}`, [l, rules.Rules]);
    }
  }
  for (const tg of targetGroups) add(`elbv2 target-group ${tg.TargetGroupArn}`, tg);
  const arns = [...balancers.map((l) => l.LoadBalancerArn), ...targetGroups.map((t) => t.TargetGroupArn)];
  const tags = await sdk.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.map(String) }));
  for (const d of tags.TagDescriptions ?? []) add(`elbv2 tags ${d.ResourceArn}`, d.Tags);
  const asgs = await sdk.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  for (const g of asgs.AutoScalingGroups ?? []) add(`autoscaling group ${g.AutoScalingGroupName}`, g);
  return lines.sort();
}

/** The resources A's state names that B must call foreign (the lookups and B's own names aside). */
const FOREIGN_KEYS = [
  'autoScalingGroup',
  'bucket',
  'certificate.cdn',
  'certificate.origin',
  'distribution',
  'elasticIp',
  'launchTemplate',
  'listener',
  'loadBalancer',
  'oac',
  'sg.alb',
  'sg.instances',
  'targetGroup',
  'validation',
];

describe.skipIf(!motoAvailable())("two stacks in one account: B's folder holds A's state", () => {
  const moto = useMoto();
  let sdk: Sdk;
  let a: E2eProject;
  let b: E2eProject;
  let env: NodeJS.ProcessEnv;
  let zoneIds: string[];
  let traces = 0;

  const cli = async (project: E2eProject, args: string[]): Promise<CliRun & { changing: string[] }> => {
    const trace = `${project.dir}/trace-${++traces}.jsonl`;
    const run = await runCli(['-c', project.config, '--trace', trace, ...args], { env, cwd: project.dir });
    return { ...run, changing: changingCalls(await readTrace(trace)) };
  };

  beforeAll(async () => {
    sdk = new Sdk('eu-central-1');
  });
  afterAll(async () => {
    sdk?.destroy();
  });
  beforeEach(async () => {
    env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true', NODE_OPTIONS: '--no-warnings' });
    a = await writeProject({ stack: 'alpha', domain: 'alpha.example' });
    b = await writeProject({ stack: 'beta', domain: 'beta.example' });
    zoneIds = [await createZone(a.domain), await createZone(b.domain)];
  });
  afterEach(async () => {
    await rm(a.dir, { recursive: true, force: true });
    await rm(b.dir, { recursive: true, force: true });
  });

  it('plan shows A as foreign; up -y and destroy change nothing of A; destroy names each and exits 1', async () => {
    const upA = await cli(a, ['up', '--yes']);
    expect(upA.code, upA.stderr).toBe(0);
    await sdk.s3.send(new PutObjectCommand({ Bucket: a.bucket, Key: 'index.html', Body: '<h1>A</h1>' }));
    await sdk.s3.send(new PutObjectCommand({ Bucket: a.bucket, Key: 'app.js', Body: 'alert(1)' }));
    const state = JSON.parse(await readFile(a.stateFile, 'utf8')) as StateFile;
    await mkdir(dirname(b.stateFile), { recursive: true });
    await writeFile(b.stateFile, JSON.stringify({ ...state, stack: 'beta' }));
    const before = await inventory(sdk, zoneIds);
    expect(before.filter((l) => l.startsWith('s3 object'))).toHaveLength(2);

    const plan = await cli(b, ['--json', 'plan']);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as {
      resources: { key: string; action: string; id?: string; reason?: string }[];
    };
    const foreign = planned.resources.filter((r) => r.action === 'takeover');
    expect(foreign.map((r) => r.key).sort()).toEqual(FOREIGN_KEYS);
    for (const r of foreign) expect(r.reason, r.key).toMatch(/alpha|not this stack's/);
    expect(plan.changing).toEqual([]);

    const unknownKey = await cli(b, ['up', '-y', '--take-over', 'buckets']);
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toContain('--take-over buckets: no resource has that key');
    expect(unknownKey.changing).toEqual([]);

    const up = await cli(b, ['up', '-y']);
    expect(up.code).not.toBe(0);
    expect(up.changing).toEqual([]);
    expect(up.stderr).toContain('--take-over');
    expect(await inventory(sdk, zoneIds)).toEqual(before);

    const down = await cli(b, ['destroy', '--yes']);
    expect(down.code).toBe(1);
    expect(down.changing).toEqual([]);
    const said = down.stdout + down.stderr;
    for (const r of foreign) expect(said, r.key).toContain(`${r.id} is not this stack's`);
    expect(await inventory(sdk, zoneIds)).toEqual(before);
  }, 180_000);
});
