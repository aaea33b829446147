import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteListenerCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actual, Resource } from '../../../src/engine/contract.js';
import { autoScalingGroup } from '../../../src/resources/autoscaling/auto-scaling-group.js';
import { elasticIp } from '../../../src/resources/ec2/elastic-ip.js';
import { launchTemplate } from '../../../src/resources/ec2/launch-template.js';
import { network } from '../../../src/resources/ec2/network.js';
import { albSecurityGroup, instanceSecurityGroup } from '../../../src/resources/ec2/security-group.js';
import { listener } from '../../../src/resources/elbv2/listener.js';
import { loadBalancer } from '../../../src/resources/elbv2/load-balancer.js';
import { targetGroup } from '../../../src/resources/elbv2/target-group.js';
import { type TestContext, testConfig, testContext } from '../../support/context.js';
import { motoAvailable, useMoto } from '../../support/moto.js';

const REGION = 'eu-central-1';
const STACK_FILTER = [{ Name: 'tag:tekamolo:stack', Values: ['demo'] }];

type Outputs = Record<string, Record<string, unknown>>;
type AnyHandler = Resource<unknown, Actual, unknown>;

/** Everything the chain handed on so far, and each resource's state entry. */
interface Chain {
  outputs: Outputs;
  state: Record<string, Record<string, unknown>>;
}

function ctxFor(chain: Chain, key: string, saved?: Record<string, unknown>): TestContext {
  return testContext({
    key,
    config: testConfig({
      backend: { sshCidrs: ['203.0.113.10/32'], scaling: { min: 1, desired: 1, max: 2 } },
    }),
    saved: saved ?? { ...(chain.state[key] ?? {}) },
    outputs: chain.outputs,
  });
}

/** What `up` does for one resource: find, create or update, wait, hand on the outputs. */
async function converge<D, A extends Actual, O>(chain: Chain, handler: Resource<D, A, O>): Promise<A> {
  const ctx = ctxFor(chain, handler.key);
  const desired = await handler.desired(ctx);
  const found = await handler.find(ctx);
  let actual = found
    ? await handler.update(ctx, desired, found, handler.diff(desired, found))
    : await handler.create(ctx, desired);
  if (handler.wait) actual = await handler.wait(ctx, actual);
  chain.state[handler.key] = { ...ctx.recorded, id: actual.id, ...handler.outputs(actual) };
  chain.outputs[handler.key] = handler.outputs(actual) as Record<string, unknown>;
  return actual;
}

async function diffOf<D, A extends Actual, O>(
  chain: Chain,
  handler: Resource<D, A, O>,
  saved?: Record<string, unknown>,
) {
  const ctx = ctxFor(chain, handler.key, saved);
  const actual = await handler.find(ctx);
  if (!actual) throw new Error(`${handler.key} not found`);
  return { actual, changes: handler.diff(await handler.desired(ctx), actual) };
}

const ORDER = [
  network,
  albSecurityGroup,
  instanceSecurityGroup,
  targetGroup,
  loadBalancer,
  listener,
  launchTemplate,
  autoScalingGroup,
  elasticIp,
] as unknown as AnyHandler[];

describe.skipIf(!motoAvailable())('compute and network handlers against moto', () => {
  useMoto();
  let ec2: EC2Client;
  let elbv2: ElasticLoadBalancingV2Client;
  let autoscaling: AutoScalingClient;
  let acm: ACMClient;
  let chain: Chain;

  beforeAll(async () => {
    ec2 = new EC2Client({ region: REGION });
    elbv2 = new ElasticLoadBalancingV2Client({ region: REGION });
    autoscaling = new AutoScalingClient({ region: REGION });
    acm = new ACMClient({ region: REGION });
  });
  beforeEach(async () => {
    // The emulator checks that the listener's certificate exists (and issues it at once).
    const cert = await acm.send(
      new RequestCertificateCommand({ DomainName: 'origin.example.com', ValidationMethod: 'DNS' }),
    );
    const CERT = cert.CertificateArn;
    chain = {
      outputs: {
        validation: { records: [], originCertificateArn: CERT, cdnCertificateArn: CERT },
      },
      state: {},
    };
  });
  afterAll(async () => {
    ec2?.destroy();
    elbv2?.destroy();
    autoscaling?.destroy();
    acm?.destroy();
  });

  async function upAll(): Promise<void> {
    for (const handler of ORDER) await converge(chain, handler);
  }

  it('stands up the chain, finds every resource by state and by name or tag, and reports no drift', async () => {
    await upAll();
    const net = chain.outputs.network as { subnetIds: string[] };
    expect(net.subnetIds.length).toBeGreaterThanOrEqual(2);
    expect(chain.outputs.listener?.originSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(chain.outputs.elasticIp?.instanceId).toMatch(/^i-/);

    for (const handler of ORDER) {
      const byState = await diffOf(chain, handler);
      expect({ key: handler.key, changes: byState.changes }).toEqual({ key: handler.key, changes: [] });
      expect(byState.actual.foreign).toBeUndefined();
      // A lost state file: everything is found again by name, tag or its load balancer.
      const byName = await diffOf(chain, handler, {});
      expect(byName.actual.id).toBe(byState.actual.id);
      expect({ key: handler.key, changes: byName.changes }).toEqual({ key: handler.key, changes: [] });
    }
  });

  it('builds the security rules the design asks for', async () => {
    await converge(chain, network);
    const alb = await converge(chain, albSecurityGroup);
    const instances = await converge(chain, instanceSecurityGroup);
    expect(alb.ingress).toHaveLength(1);
    expect(alb.ingress[0]).toMatch(/^tcp:443:pl-/);
    expect(instances.ingress).toEqual([`tcp:22:203.0.113.10/32`, `tcp:8080:${alb.id}`].sort());
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [alb.id] }));
    const tags = groups.SecurityGroups?.[0]?.Tags ?? [];
    expect(tags).toContainEqual({ Key: 'tekamolo:resource', Value: 'sg.alb' });
  });

  it('repairs drift made behind its back: an open SSH rule, a changed ASG size, a deleted listener', async () => {
    await upAll();
    const sg = chain.outputs['sg.instances'] as { groupId: string };
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg.groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'demo-backend', MaxSize: 5 }),
    );
    await elbv2.send(new DeleteListenerCommand({ ListenerArn: chain.outputs.listener?.arn as string }));
    const secret = chain.outputs.listener?.originSecret;

    const sgDrift = await diffOf(chain, instanceSecurityGroup);
    expect(sgDrift.changes.map((c) => c.reason)).toEqual(['revoke tcp:22:0.0.0.0/0']);
    const asgDrift = await diffOf(chain, autoScalingGroup);
    expect(asgDrift.changes).toEqual([{ field: 'max', from: 5, to: 2, action: 'update' }]);
    expect(await listener.find(ctxFor(chain, 'listener'))).toBeUndefined();

    await converge(chain, instanceSecurityGroup);
    await converge(chain, autoScalingGroup);
    await converge(chain, listener);
    expect((await diffOf(chain, instanceSecurityGroup)).changes).toEqual([]);
    expect((await diffOf(chain, autoScalingGroup)).actual.max).toBe(2);
    const restored = await diffOf(chain, listener);
    expect(restored.changes).toEqual([]);
    expect(restored.actual.rule?.secret).toBe(secret);
  });

  it('a new app port moves the rule from the ALB group: the old group-referenced rule is revoked', async () => {
    await converge(chain, network);
    const alb = await converge(chain, albSecurityGroup);
    await converge(chain, instanceSecurityGroup);
    const config = testConfig({ backend: { port: 9090, sshCidrs: ['203.0.113.10/32'] } });
    const ctx = testContext({
      key: 'sg.instances',
      config,
      saved: { ...chain.state['sg.instances'] },
      outputs: chain.outputs,
    });
    const found = await instanceSecurityGroup.find(ctx);
    const desired = await instanceSecurityGroup.desired(ctx);
    const changes = instanceSecurityGroup.diff(desired, found!);
    expect(changes[0]?.reason).toBe(`add tcp:9090:${alb.id}; revoke tcp:8080:${alb.id}`);
    await instanceSecurityGroup.update(ctx, desired, found!, changes);
    const after = await instanceSecurityGroup.find(ctx);
    expect(after?.ingress).toEqual(['tcp:22:203.0.113.10/32', `tcp:9090:${alb.id}`]);
  });

  it('recovers the origin secret from the rule when the state is lost', async () => {
    await upAll();
    const secret = chain.outputs.listener?.originSecret;
    const ctx = ctxFor(chain, 'listener', {});
    const found = await listener.find(ctx);
    expect(found?.rule?.secret).toBe(secret);
    const desired = await listener.desired(ctx);
    expect(listener.diff(desired, found!)).toEqual([]);
  });

  it('creates a new template version on change; the group rolls it out by an instance refresh', async () => {
    await upAll();
    const config = testConfig({
      backend: {
        instanceType: 't3.medium',
        sshCidrs: ['203.0.113.10/32'],
        scaling: { min: 1, desired: 1, max: 2 },
      },
    });
    const ctx = testContext({
      key: 'launchTemplate',
      config,
      saved: { ...chain.state.launchTemplate },
      outputs: chain.outputs,
    });
    const desired = await launchTemplate.desired(ctx);
    const found = await launchTemplate.find(ctx);
    const changes = launchTemplate.diff(desired, found!);
    expect(changes.map((c) => c.field)).toEqual(['instanceType']);
    const updated = await launchTemplate.update(ctx, desired, found!, changes);
    expect(updated.defaultVersion).toBe(2);
    const again = await launchTemplate.find(
      testContext({ key: 'launchTemplate', config, saved: {}, outputs: chain.outputs }),
    );
    expect(again?.data.instanceType).toBe('t3.medium');
    // The emulator ignores SourceVersion: the full data must have been sent.
    expect(again?.data.httpTokens).toBe('required');
    expect(again?.data.rootEncrypted).toBe(true);
    chain.outputs.launchTemplate = launchTemplate.outputs(updated) as unknown as Record<string, unknown>;
    const asg = await diffOf(chain, autoScalingGroup);
    expect(asg.changes.map((c) => c.field)).toEqual(['launchTemplateVersion', 'instanceRefresh']);
  });

  it('a create retried after a crash (state not saved) gives the same group and target group; the ALB is found by name', async () => {
    await converge(chain, network);
    const albCtx = ctxFor(chain, 'sg.alb');
    const first = await albSecurityGroup.create(albCtx, await albSecurityGroup.desired(albCtx));
    const again = await albSecurityGroup.create(
      ctxFor(chain, 'sg.alb', {}),
      await albSecurityGroup.desired(albCtx),
    );
    expect(again.id).toBe(first.id);
    expect(again.ingress).toEqual(first.ingress);
    chain.outputs['sg.alb'] = albSecurityGroup.outputs(first) as unknown as Record<string, unknown>;

    const tgCtx = ctxFor(chain, 'targetGroup');
    const tgDesired = await targetGroup.desired(tgCtx);
    const tg1 = await targetGroup.create(tgCtx, tgDesired);
    const tg2 = await targetGroup.create(ctxFor(chain, 'targetGroup', {}), tgDesired);
    expect(tg2.arn).toBe(tg1.arn);

    const lbCtx = ctxFor(chain, 'loadBalancer');
    const lbDesired = await loadBalancer.desired(lbCtx);
    const lb1 = await loadBalancer.create(lbCtx, lbDesired);
    // CreateLoadBalancer has no token (AWS returns the existing ALB for the same name and settings,
    // the emulator makes a second one): what protects a retried up is find by name before create.
    const lbFound = await loadBalancer.find(ctxFor(chain, 'loadBalancer', {}));
    expect(lbFound?.arn).toBe(lb1.arn);
    const tgs = await elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(tgs.TargetGroups).toHaveLength(1);
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: STACK_FILTER }));
    expect(groups.SecurityGroups).toHaveLength(1);
  });

  it('a second launch template create with the same data does not duplicate', async () => {
    await converge(chain, network);
    await converge(chain, albSecurityGroup);
    await converge(chain, instanceSecurityGroup);
    const ctx = ctxFor(chain, 'launchTemplate');
    const desired = await launchTemplate.desired(ctx);
    const first = await launchTemplate.create(ctx, desired);
    const second = await launchTemplate.create(ctxFor(chain, 'launchTemplate', {}), desired);
    expect(second.id).toBe(first.id);
    const listed = await ec2.send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['demo-backend'] }),
    );
    expect(listed.LaunchTemplates).toHaveLength(1);
  });

  it('re-associates the Elastic IP when its instance is gone', async () => {
    await upAll();
    const eip = chain.outputs.elasticIp as { allocationId: string; instanceId: string };
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [eip.instanceId] }));
    // Let the group notice: detach the terminated instance by resizing around it.
    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: 'demo-backend',
        MinSize: 0,
        DesiredCapacity: 0,
      }),
    );
    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: 'demo-backend',
        MinSize: 1,
        DesiredCapacity: 1,
      }),
    );
    const ctx = ctxFor(chain, 'elasticIp');
    const health = await elasticIp.health!(ctx, (await elasticIp.find(ctx))!);
    expect(health.state).toBe('unhealthy');
    const drift = await diffOf(chain, elasticIp);
    expect(drift.changes.map((c) => c.field)).toEqual(['instanceId']);
    const moved = await converge(chain, elasticIp);
    expect(moved.instanceId).not.toBe(eip.instanceId);
    const addresses = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.allocationId] }));
    expect(addresses.Addresses?.[0]?.InstanceId).toBe(moved.instanceId);
  });

  it('deletes everything in reverse and leaves nothing with the stack tag', async () => {
    await upAll();
    const instanceIds = (await diffOf(chain, autoScalingGroup)).actual.instances.map((i) => i.id);
    expect(instanceIds.length).toBeGreaterThan(0);
    for (const handler of [...ORDER].reverse()) {
      if (handler.readOnly) continue;
      const ctx = ctxFor(chain, handler.key);
      const actual = await handler.find(ctx);
      if (actual) await handler.delete(ctx, actual);
      expect(await handler.find(ctxFor(chain, handler.key)), handler.key).toBeUndefined();
      // A second delete of something already gone succeeds.
      if (actual) await handler.delete(ctx, actual);
    }
    // network is looked up, never deleted: it is found again, everything else is gone.
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: STACK_FILTER }));
    expect(groups.SecurityGroups).toEqual([]);
    const addresses = await ec2.send(new DescribeAddressesCommand({ Filters: STACK_FILTER }));
    expect(addresses.Addresses).toEqual([]);
    const lbs = await elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(lbs.LoadBalancers ?? []).toEqual([]);
    const tgs = await elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(tgs.TargetGroups ?? []).toEqual([]);
    const instances = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
    const states = instances.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name);
    expect(new Set(states)).toEqual(new Set(['terminated']));
  });
});
