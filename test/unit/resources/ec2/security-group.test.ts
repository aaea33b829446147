import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUnknown, UNKNOWN, unknown } from '../../../../src/engine/contract.js';
import { albSecurityGroup, instanceSecurityGroup } from '../../../../src/resources/ec2/security-group.js';
import { ruleKeys, toPermission } from '../../../../src/resources/ec2/security-group-rules.js';
import { testConfig, testContext } from '../../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const OUTPUTS = {
  network: { vpcId: 'vpc-1', subnetIds: ['subnet-a', 'subnet-b'] },
  'sg.alb': { groupId: 'sg-alb' },
};
const OUR_TAGS = [
  { Key: 'tekamolo:stack', Value: 'demo' },
  { Key: 'tekamolo:resource', Value: 'sg.instances' },
];

function ctx(saved = {}, config = testConfig()) {
  return testContext({ key: 'sg.instances', saved, outputs: OUTPUTS, config });
}

describe('security groups', () => {
  let ec2: AwsClientStub<EC2Client>;

  beforeEach(() => {
    ec2 = mockClient(EC2Client);
    ec2.on(DescribeManagedPrefixListsCommand).resolves({
      PrefixLists: [
        { PrefixListId: 'pl-cf', PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing' },
      ],
    });
  });
  afterEach(() => {
    ec2.reset();
    ec2.restore();
  });

  it('sg.alb admits 443 only from the CloudFront origin-facing prefix list, looked up by name', async () => {
    const desired = await albSecurityGroup.desired(testContext({ key: 'sg.alb', outputs: OUTPUTS }));
    expect(desired.ingress).toEqual(['tcp:443:pl-cf']);
    expect(ec2.commandCalls(DescribeManagedPrefixListsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] },
    ]);
  });

  it('sg.alb is open to anywhere (IPv4 and IPv6) only when cdn.albOpenToInternet says so', async () => {
    const config = testConfig({ cdn: { albOpenToInternet: true } });
    const desired = await albSecurityGroup.desired(testContext({ key: 'sg.alb', outputs: OUTPUTS, config }));
    expect(desired.ingress).toEqual(['tcp:443:0.0.0.0/0', 'tcp:443:::/0']);
    expect(ec2.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(0);
  });

  it('sg.instances admits the app port from sg.alb and SSH only from sshCidrs; none without sshCidrs', async () => {
    expect((await instanceSecurityGroup.desired(ctx())).ingress).toEqual([
      'tcp:22:203.0.113.10/32',
      'tcp:8080:sg-alb',
    ]);
    const noSsh = testConfig({ backend: { sshCidrs: [] } });
    expect((await instanceSecurityGroup.desired(ctx({}, noSsh))).ingress).toEqual(['tcp:8080:sg-alb']);
  });

  it('in plan, an ALB group that does not exist yet reads as unknown, not as a wrong rule', async () => {
    const plan = testContext({
      key: 'sg.instances',
      outputs: { network: unknown, 'sg.alb': unknown },
    });
    const desired = await instanceSecurityGroup.desired(plan);
    expect(isUnknown(desired.vpcId)).toBe(true);
    expect(desired.ingress).toContain(`tcp:8080:${UNKNOWN}`);
  });

  it('flattens AWS permissions into one key per source and builds the permission back', () => {
    const keys = ruleKeys([
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '203.0.113.10/32' }, { CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }],
      },
      { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-x' }] },
    ]);
    expect(keys).toEqual([
      '-1:all:sg-x',
      'tcp:22:0.0.0.0/0',
      'tcp:22:2001:db8::/32',
      'tcp:22:203.0.113.10/32',
    ]);
    expect(toPermission('tcp:22:2001:db8::/32')).toEqual({
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }],
    });
    expect(toPermission('-1:all:sg-x')).toEqual({
      IpProtocol: '-1',
      UserIdGroupPairs: [{ GroupId: 'sg-x' }],
    });
  });

  it('reconciles both ways: a missing rule is added, an extra one (SSH from anywhere) revoked', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-i',
          GroupName: 'demo-instances',
          VpcId: 'vpc-1',
          Tags: OUR_TAGS,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        },
      ],
    });
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({});
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({});
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        { SecurityGroupRuleId: 'sgr-egress', IsEgress: true, IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' },
        {
          SecurityGroupRuleId: 'sgr-ssh-open',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
        },
      ],
    });
    const c = ctx({ groupId: 'sg-i' });
    const desired = await instanceSecurityGroup.desired(c);
    const actual = await instanceSecurityGroup.find(c);
    const changes = instanceSecurityGroup.diff(desired, actual!);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.reason).toBe('add tcp:22:203.0.113.10/32, tcp:8080:sg-alb; revoke tcp:22:0.0.0.0/0');
    await instanceSecurityGroup.update(c, desired, actual!, changes);
    const added = ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input.IpPermissions;
    expect(added).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '203.0.113.10/32', Description: 'SSH' }],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
        UserIdGroupPairs: [{ GroupId: 'sg-alb', Description: 'app port from the load balancer' }],
      },
    ]);
    // Revoked by rule id: a permission would have to repeat the description in some implementations.
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-i',
      SecurityGroupRuleIds: ['sgr-ssh-open'],
    });
  });

  it('finds by state id, then by stack and resource tags, then by name; an untagged group is foreign', async () => {
    ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-gone'] })
      .rejects(awsError('InvalidGroup.NotFound'))
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: 'tag:tekamolo:stack', Values: ['demo'] },
          { Name: 'tag:tekamolo:resource', Values: ['sg.instances'] },
        ],
      })
      .resolves({ SecurityGroups: [] })
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: 'group-name', Values: ['demo-instances'] },
          { Name: 'vpc-id', Values: ['vpc-1'] },
        ],
      })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-other', GroupName: 'demo-instances', VpcId: 'vpc-1' }] });
    const found = await instanceSecurityGroup.find(ctx({ groupId: 'sg-gone' }));
    expect(found?.id).toBe('sg-other');
    expect(found?.foreign).toMatch(/no tekamolo:stack=demo tag/);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(3);
  });

  it('create records the group id before adding rules, with the stack tags', async () => {
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-new', IpPermissions: [] }] });
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.Malformed'));
    const c = ctx();
    await expect(
      instanceSecurityGroup.create(c, await instanceSecurityGroup.desired(c)),
    ).rejects.toMatchObject({
      name: 'InvalidPermission.Malformed',
    });
    expect(c.recorded.groupId).toBe('sg-new');
    const input = ec2.commandCalls(CreateSecurityGroupCommand)[0]?.args[0].input;
    expect(input?.TagSpecifications?.[0]?.Tags).toContainEqual({ Key: 'tekamolo:stack', Value: 'demo' });
  });

  it('the rules-per-group quota (the prefix list counts ~55) is a UserError naming the way out', async () => {
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-new', IpPermissions: [] }] });
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('RulesPerSecurityGroupLimitExceeded'));
    const c = testContext({ key: 'sg.alb', outputs: OUTPUTS });
    await expect(albSecurityGroup.create(c, await albSecurityGroup.desired(c))).rejects.toMatchObject({
      name: 'UserError',
      hint: expect.stringContaining('cdn.albOpenToInternet'),
    });
  });

  it('a same-named group of someone else on create is a UserError', async () => {
    ec2.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate'));
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [{ GroupId: 'sg-theirs', GroupName: 'demo-instances', VpcId: 'vpc-1' }],
    });
    const c = ctx();
    await expect(
      instanceSecurityGroup.create(c, await instanceSecurityGroup.desired(c)),
    ).rejects.toMatchObject({
      name: 'UserError',
      hint: expect.stringContaining('sg-theirs'),
    });
  });

  it('delete retries DependencyViolation while network interfaces go away, then succeeds', async () => {
    ec2
      .on(DeleteSecurityGroupCommand)
      .rejectsOnce(awsError('DependencyViolation'))
      .rejectsOnce(awsError('DependencyViolation'))
      .resolves({});
    const c = ctx();
    await instanceSecurityGroup.delete(c, {
      id: 'sg-i',
      name: 'demo-instances',
      vpcId: 'vpc-1',
      ingress: [],
      tags: {},
    });
    expect(ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(3);
    expect(c.messages.some((m) => m.includes('in use by network interfaces'))).toBe(true);
  });

  it('delete gives up after its bound and names the network interfaces still in the way', async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Description: 'ELB app/demo-alb/123' }],
    });
    const config = testConfig({ waits: { pollSeconds: 0.01, loadBalancerMinutes: 0.001 } });
    await expect(
      instanceSecurityGroup.delete(ctx({}, config), {
        id: 'sg-i',
        name: 'n',
        vpcId: 'vpc-1',
        ingress: [],
        tags: {},
      }),
    ).rejects.toMatchObject({
      name: 'WorkError',
      message: expect.stringContaining('eni-1 (ELB app/demo-alb/123)'),
    });
    expect(ec2.commandCalls(DeleteSecurityGroupCommand).length).toBeGreaterThan(1);
  });

  it('delete of a group already gone succeeds; a foreign group is never deleted', async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('InvalidGroup.NotFound'));
    const group = { id: 'sg-i', name: 'n', vpcId: 'vpc-1', ingress: [], tags: {} };
    await expect(instanceSecurityGroup.delete(ctx(), group)).resolves.toBeUndefined();
    ec2.resetHistory();
    await instanceSecurityGroup.delete(ctx(), { ...group, foreign: 'not ours' });
    expect(ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(0);
  });

  it('throttling is not mistaken for not-found', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('RequestLimitExceeded'));
    await expect(instanceSecurityGroup.find(ctx({ groupId: 'sg-i' }))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
  });
});
