import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { GetDistributionCommand, ListOriginAccessControlsCommand } from '@aws-sdk/client-cloudfront';
import {
  AllocateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeAddressesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import {
  DeleteListenerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import {
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/aws/trace.js';
import { planDocument } from '../../src/output/json-schema.js';
import {
  assertBuilt,
  type CliRun,
  changingCalls,
  countStack,
  createZone,
  type E2eProject,
  killAfterCalls,
  ONE_OF_EACH,
  readTrace,
  runCli,
  Sdk,
  stackCertificates,
  stackDistributions,
  writeProject,
  zoneRecords,
} from '../support/e2e.js';
import { expectDocument, expectEventLines } from '../support/json-contract.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/**
 * `tekamolo up` and `plan` end to end: the built CLI against a local moto_server, every result checked
 * through the SDK rather than through tekamolo. Covers building from nothing, the no-op rerun, crash
 * safety (SIGKILL after N calls), a lost state file, drift made behind tekamolo's back, and the JSON
 * outputs. Certificates are issued at the first describe here (MOTO_ACM_VALIDATION_WAIT=0).
 *
 * One stack, built by one `up` from nothing, serves the tests that read it, and those that change it
 * behind tekamolo's back and let `up` restore it; each leaves it converged, except the last.
 */

const STACK = 'e2e';
const DOMAIN = 'example.com';
const SSH_CIDR = '203.0.113.10/32';

function recordKey(r: ResourceRecordSet): string {
  return `${r.Name} ${r.Type}`;
}

describe.skipIf(!motoAvailable())('tekamolo up and plan end to end', () => {
  const moto = useMoto({ reset: 'file' });
  let sdk: Sdk;
  let project: E2eProject;
  let zoneId: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[]) => runCli(['-c', project.config, ...args], { env, cwd: project.dir });
  const trace = (name: string) => join(project.dir, `${name}.jsonl`);

  /** `up` that must succeed; returns its trace records. */
  async function up(name: string, extra: string[] = []) {
    const file = trace(name);
    const run = await cli(['--trace', file, ...extra, 'up']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/error:/);
    return { run, records: await readTrace(file) };
  }

  async function records(): Promise<ResourceRecordSet[]> {
    return (await zoneRecords(sdk.route53, zoneId)).filter((r) => r.Type !== 'SOA' && r.Type !== 'NS');
  }

  async function groupsByResource(): Promise<Record<string, SecurityGroup>> {
    const result = await sdk.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:tekamolo:stack', Values: [STACK] }] }),
    );
    const byKey: Record<string, SecurityGroup> = {};
    for (const group of result.SecurityGroups ?? []) {
      const key = group.Tags?.find((t) => t.Key === 'tekamolo:resource')?.Value;
      if (key) byKey[key] = group;
    }
    return byKey;
  }

  async function theLoadBalancer() {
    const albs = await sdk.elbv2.send(new DescribeLoadBalancersCommand({ Names: [`${STACK}-alb`] }));
    expect(albs.LoadBalancers).toHaveLength(1);
    return albs.LoadBalancers?.[0] ?? {};
  }

  async function httpsListeners(albArn: string): Promise<Listener[]> {
    const result = await sdk.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: albArn }));
    return (result.Listeners ?? []).filter((l) => l.Port === 443);
  }

  async function theGroup() {
    const result = await sdk.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [`${STACK}-backend`] }),
    );
    const group = result.AutoScalingGroups?.[0];
    if (!group) throw new Error(`no Auto Scaling group ${STACK}-backend`);
    return group;
  }

  /** Exactly one of each resource, and no record name/type twice. */
  async function expectOneOfEach(): Promise<void> {
    const counts = await countStack(sdk, STACK, zoneId);
    const { records: recordCount, ...rest } = counts;
    expect(rest).toEqual(ONE_OF_EACH);
    const keys = (await records()).map(recordKey);
    expect(keys).toHaveLength(recordCount);
    expect(new Set(keys).size).toBe(keys.length);
    for (const name of [DOMAIN, `www.${DOMAIN}`]) {
      expect(keys).toContain(`${name}. A`);
      expect(keys).toContain(`${name}. AAAA`);
    }
    expect(keys).toContain(`origin.${DOMAIN}. A`);
  }

  beforeAll(async () => {
    assertBuilt();
    sdk = new Sdk('eu-central-1');
  });
  afterAll(async () => {
    sdk?.destroy();
  });

  /** An empty account with the domain's hosted zone, and a project folder for the stack. */
  async function emptyAccount(): Promise<void> {
    await moto.reset();
    zoneId = await createZone(DOMAIN);
    project = await writeProject({ stack: STACK, domain: DOMAIN, sshCidrs: [SSH_CIDR] });
    env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true' });
  }

  describe('from nothing', () => {
    beforeEach(emptyAccount);

    it('plan from nothing makes no changing call and plan --json is one JSON document', async () => {
      const planTrace = trace('plan');
      const plan = await cli(['--trace', planTrace, '--json', 'plan']);
      expect(plan.code).toBe(0);
      const doc = expectDocument(plan.stdout, planDocument);
      expect(doc).toMatchObject({ command: 'plan', ok: true, stack: STACK });
      expect(doc.awsCalls.changing).toBe(0);
      expect(doc.resources.filter((r) => r.action === 'create').map((r) => r.key)).toEqual(
        expect.arrayContaining(['bucket', 'distribution', 'listener', 'dnsAlias']),
      );
      expect(changingCalls(await readTrace(planTrace))).toEqual([]);
      expect(existsSync(project.stateFile)).toBe(false);
      expect((await countStack(sdk, STACK, zoneId)).distributions).toBe(0);
    }, 60_000);

    // A point of a run of about 80 calls (certificates issued at once): around the listener and the
    // distribution. Every kill point of a whole run is proved over the fake AWS in
    // test/unit/engine/apply-killed.test.ts, the kill right after CreateBucket in apply-killed-bucket.test.ts.
    it('killed with SIGKILL after 60 AWS calls, the next up converges with one of each', async () => {
      const killedTrace = trace('killed');
      const killed = await killAfterCalls(
        ['-c', project.config, '--trace', killedTrace, 'up'],
        { env, cwd: project.dir },
        killedTrace,
        60,
      );
      expect(killed.signal, killed.stderr).toBe('SIGKILL');

      const { records: resumed } = await up('resumed');
      expect(resumed.length).toBeGreaterThan(0);
      await expectOneOfEach();
      const state = JSON.parse(await readFile(project.stateFile, 'utf8')) as { resources: object };
      expect(Object.keys(state.resources)).toHaveLength(19);
      const { records: again } = await up('again');
      expect(changingCalls(again)).toEqual([]);
    }, 120_000);
  });

  describe('on one converged stack', () => {
    /** The stack's first `up`, from nothing, with a user-data file, traced, --json and -v. */
    let first: { run: CliRun; records: TraceRecord[] };

    beforeAll(async () => {
      await emptyAccount();
      await writeFile(join(project.dir, 'user-data.sh'), '#!/bin/sh\necho one\n');
      const config = await readFile(project.config, 'utf8');
      await writeFile(project.config, config.replace('backend:\n', 'backend:\n  userData: ./user-data.sh\n'));
      const file = trace('first');
      first = { run: await cli(['--trace', file, '--json', '-v', 'up']), records: await readTrace(file) };
    }, 180_000);

    it('up from nothing builds every resource of the stack, exactly one of each, as the design says; a second up makes no changing call and plan --exit-code then exits 0; plan never changes anything', async () => {
      expect(first.run.code, first.run.stderr).toBe(0);
      expect(first.run.stderr).not.toMatch(/error:/);
      const calls = first.records;
      expect(changingCalls(calls).length).toBeGreaterThan(15);
      await expectOneOfEach();

      // Certificates: CloudFront's in us-east-1 for the site names, the ALB's in the stack's region.
      const [cdnArn] = await stackCertificates(sdk.acmGlobal, STACK);
      const [originArn] = await stackCertificates(sdk.acmHere, STACK);
      const cdn = (await sdk.acmGlobal.send(new DescribeCertificateCommand({ CertificateArn: cdnArn })))
        .Certificate;
      const origin = (await sdk.acmHere.send(new DescribeCertificateCommand({ CertificateArn: originArn })))
        .Certificate;
      expect(cdn?.DomainName).toBe(DOMAIN);
      expect([...(cdn?.SubjectAlternativeNames ?? [])].sort()).toEqual([DOMAIN, `www.${DOMAIN}`].sort());
      expect(origin?.DomainName).toBe(`origin.${DOMAIN}`);
      expect(cdn?.Status).toBe('ISSUED');
      expect(origin?.Status).toBe('ISSUED');

      // Validation CNAMEs of both certificates are in the zone with their values.
      const zone = await records();
      for (const cert of [cdn, origin]) {
        for (const option of cert?.DomainValidationOptions ?? []) {
          const rr = option.ResourceRecord;
          expect(rr?.Type).toBe('CNAME');
          const found = zone.find((r) => r.Type === 'CNAME' && r.Name === rr?.Name);
          const noDot = (v: string | undefined) => v?.replace(/\.$/, '');
          expect(found?.ResourceRecords?.map((v) => noDot(v.Value))).toEqual([noDot(rr?.Value)]);
        }
      }

      // Bucket: private, owner-enforced, encrypted, tagged.
      const bucket = { Bucket: project.bucket };
      const pab = await sdk.s3.send(new GetPublicAccessBlockCommand(bucket));
      expect(pab.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
      const ownership = await sdk.s3.send(new GetBucketOwnershipControlsCommand(bucket));
      expect(ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe('BucketOwnerEnforced');
      const encryption = await sdk.s3.send(new GetBucketEncryptionCommand(bucket));
      expect(
        encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
          ?.SSEAlgorithm,
      ).toBe('AES256');
      const tagging = await sdk.s3.send(new GetBucketTaggingCommand(bucket));
      expect(tagging.TagSet).toEqual(
        expect.arrayContaining([
          { Key: 'tekamolo:stack', Value: STACK },
          { Key: 'tekamolo:resource', Value: 'bucket' },
        ]),
      );

      // Origin access control: sigv4 for S3, always signing.
      const oacs = await sdk.cloudfront.send(new ListOriginAccessControlsCommand({}));
      const oac = oacs.OriginAccessControlList?.Items?.find((o) => o.Name === `${STACK}-site-oac`);
      expect(oac).toMatchObject({
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      });

      // Security groups: 443 only from CloudFront's prefix list; app port from sg.alb; 22 from sshCidrs.
      const prefixLists = await sdk.ec2.send(
        new DescribeManagedPrefixListsCommand({
          Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }],
        }),
      );
      const cloudFrontList = prefixLists.PrefixLists?.[0]?.PrefixListId;
      expect(cloudFrontList).toMatch(/^pl-/);
      const groups = await groupsByResource();
      const albGroup = groups['sg.alb'];
      const instanceGroup = groups['sg.instances'];
      const simplify = (p: IpPermission) => ({
        port: `${p.IpProtocol}:${p.FromPort}-${p.ToPort}`,
        cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp),
        lists: (p.PrefixListIds ?? []).map((l) => l.PrefixListId),
        groups: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId),
      });
      expect((albGroup?.IpPermissions ?? []).map(simplify)).toEqual([
        { port: 'tcp:443-443', cidrs: [], lists: [cloudFrontList], groups: [] },
      ]);
      const instanceRules = (instanceGroup?.IpPermissions ?? []).map(simplify);
      expect(instanceRules).toHaveLength(2);
      expect(instanceRules).toEqual(
        expect.arrayContaining([
          { port: 'tcp:8080-8080', cidrs: [], lists: [], groups: [albGroup?.GroupId] },
          { port: 'tcp:22-22', cidrs: [SSH_CIDR], lists: [], groups: [] },
        ]),
      );

      // Target group, ALB, HTTPS listener with the TLS policy, the header rule and a 403 default.
      const tgs = await sdk.elbv2.send(new DescribeTargetGroupsCommand({ Names: [`${STACK}-tg-8080`] }));
      const tg = tgs.TargetGroups?.[0];
      expect(tg).toMatchObject({ Protocol: 'HTTP', Port: 8080, HealthCheckPath: '/api/health' });
      const alb = await theLoadBalancer();
      expect(alb.Scheme).toBe('internet-facing');
      expect(alb.SecurityGroups).toEqual([albGroup?.GroupId]);
      const [listener, ...moreListeners] = await httpsListeners(String(alb.LoadBalancerArn));
      expect(moreListeners).toEqual([]);
      expect(listener?.Protocol).toBe('HTTPS');
      expect(listener?.SslPolicy).toMatch(/TLS13/);
      expect(listener?.Certificates?.map((c) => c.CertificateArn)).toEqual([originArn]);
      expect(listener?.DefaultActions?.[0]).toMatchObject({
        Type: 'fixed-response',
        FixedResponseConfig: { StatusCode: '403' },
      });
      const rules = await sdk.elbv2.send(new DescribeRulesCommand({ ListenerArn: listener?.ListenerArn }));
      const headerRules = (rules.Rules ?? []).filter((r) => !r.IsDefault);
      expect(headerRules).toHaveLength(1);
      const header = headerRules[0]?.Conditions?.find((c) => c.Field === 'http-header')?.HttpHeaderConfig;
      expect(header?.HttpHeaderName).toBeTruthy();
      expect(header?.Values?.[0]?.length).toBeGreaterThanOrEqual(16);
      expect(headerRules[0]?.Actions?.[0]).toMatchObject({
        Type: 'forward',
        TargetGroupArn: tg?.TargetGroupArn,
      });

      // origin.<domain> is an alias to the ALB.
      const originAlias = zone.find((r) => r.Name === `origin.${DOMAIN}.` && r.Type === 'A');
      expect(originAlias?.AliasTarget?.DNSName?.toLowerCase()).toContain(String(alb.DNSName).toLowerCase());

      // Launch template: IMDSv2 required, encrypted gp3 root volume, the instance security group.
      const versions = await sdk.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateName: `${STACK}-backend`,
          Versions: ['$Latest'],
        }),
      );
      const data = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      expect(data?.MetadataOptions?.HttpTokens).toBe('required');
      expect(data?.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({ VolumeType: 'gp3', Encrypted: true });
      expect(data?.SecurityGroupIds ?? data?.NetworkInterfaces?.[0]?.Groups).toEqual([
        instanceGroup?.GroupId,
      ]);

      // Auto Scaling group: sizes, ELB health check, target group, CPU target tracking.
      const group = await theGroup();
      expect(group).toMatchObject({ MinSize: 1, DesiredCapacity: 1, MaxSize: 2, HealthCheckType: 'ELB' });
      expect(group.TargetGroupARNs).toEqual([tg?.TargetGroupArn]);
      const policies = await sdk.autoscaling.send(
        new DescribePoliciesCommand({ AutoScalingGroupName: group.AutoScalingGroupName }),
      );
      expect(policies.ScalingPolicies).toHaveLength(1);
      expect(policies.ScalingPolicies?.[0]).toMatchObject({
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: { TargetValue: 50 },
      });

      // Elastic IP on an InService instance of the group.
      const addresses = await sdk.ec2.send(
        new DescribeAddressesCommand({ Filters: [{ Name: 'tag:tekamolo:stack', Values: [STACK] }] }),
      );
      const inService = (group.Instances ?? [])
        .filter((i) => i.LifecycleState === 'InService')
        .map((i) => i.InstanceId);
      expect(inService.length).toBeGreaterThan(0);
      expect(inService).toContain(addresses.Addresses?.[0]?.InstanceId);

      // Distribution: S3 origin + the ALB's name, /api/* to the ALB, aliases, the us-east-1 certificate.
      const [distributionId] = await stackDistributions(sdk.cloudfront, STACK);
      const distribution = (await sdk.cloudfront.send(new GetDistributionCommand({ Id: distributionId })))
        .Distribution;
      const config = distribution?.DistributionConfig;
      const origins = config?.Origins?.Items ?? [];
      expect(origins).toHaveLength(2);
      const s3Origin = origins.find(
        (o) => o.DomainName === `${project.bucket}.s3.eu-central-1.amazonaws.com`,
      );
      const apiOrigin = origins.find((o) => o.DomainName === `origin.${DOMAIN}`);
      expect(s3Origin).toBeDefined();
      expect(apiOrigin?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
      expect(apiOrigin?.CustomHeaders?.Items).toEqual([
        { HeaderName: header?.HttpHeaderName, HeaderValue: header?.Values?.[0] },
      ]);
      expect(config?.DefaultCacheBehavior?.TargetOriginId).toBe(s3Origin?.Id);
      expect(config?.DefaultCacheBehavior?.ViewerProtocolPolicy).toBe('redirect-to-https');
      const behaviors = config?.CacheBehaviors?.Items ?? [];
      expect(behaviors.map((b) => [b.PathPattern, b.TargetOriginId])).toEqual([['/api/*', apiOrigin?.Id]]);
      expect(behaviors[0]?.AllowedMethods?.Items).toHaveLength(7);
      expect([...(config?.Aliases?.Items ?? [])].sort()).toEqual([DOMAIN, `www.${DOMAIN}`]);
      expect(config?.ViewerCertificate).toMatchObject({
        ACMCertificateArn: cdnArn,
        MinimumProtocolVersion: 'TLSv1.2_2021',
      });

      // Bucket policy: CloudFront may read, for this distribution only.
      const policy = JSON.parse(String((await sdk.s3.send(new GetBucketPolicyCommand(bucket))).Policy)) as {
        Statement: {
          Effect: string;
          Principal?: { Service?: string };
          Action: string;
          Condition?: unknown;
        }[];
      };
      const statement = policy.Statement.find(
        (s) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudfront.amazonaws.com',
      );
      expect(statement?.Action).toBe('s3:GetObject');
      expect(statement?.Condition).toEqual({ StringEquals: { 'AWS:SourceArn': distribution?.ARN } });

      // A and AAAA aliases for the apex and www point at the distribution.
      for (const name of [DOMAIN, `www.${DOMAIN}`]) {
        for (const type of ['A', 'AAAA']) {
          const alias = zone.find((r) => r.Name === `${name}.` && r.Type === type);
          expect(alias?.AliasTarget?.DNSName?.replace(/\.$/, '')).toBe(distribution?.DomainName);
        }
      }

      const { records: second } = await up('second');
      expect(second.length).toBeGreaterThan(0);
      expect(changingCalls(second)).toEqual([]);

      const planTrace = trace('plan');
      const plan = await cli(['--trace', planTrace, 'plan', '--exit-code']);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('0 to create, 0 to update, 0 to replace, 0 to take over');
      const planCalls = await readTrace(planTrace);
      expect(planCalls.length).toBeGreaterThan(0);
      expect(changingCalls(planCalls)).toEqual([]);
    }, 180_000);

    it('--json on up writes JSON lines of events on stdout and nothing else; it never prints the origin secret: not in up, plan or status output, plain, verbose or JSON', async () => {
      const run = first.run;
      const runs = [run];
      expect(run.code).toBe(0);
      // --json writes the same events with or without -v.
      const events = expectEventLines(run.stdout);
      expect(events[0]).toMatchObject({ code: 'run-started', command: 'up', stack: STACK });
      const finished = events.at(-1);
      expect(finished).toMatchObject({ code: 'run-finished', ok: true });
      if (finished?.code === 'run-finished') expect(finished.awsCalls.changing).toBeGreaterThan(15);
      const done = events.flatMap((e) => (e.code === 'resource-done' ? [e.key] : []));
      expect(done).toEqual(expect.arrayContaining(['distribution', 'listener', 'elasticIp', 'dnsAlias']));
      for (const event of events) expect(new Date(event.time).toISOString()).toBe(event.time);
      const state = JSON.parse(await readFile(project.stateFile, 'utf8')) as {
        resources: { listener?: { originSecret?: string } };
      };
      const secret = state.resources.listener?.originSecret ?? '';
      expect(secret.length).toBeGreaterThanOrEqual(16);
      for (const args of [['-v', 'up'], ['plan'], ['--json', 'plan'], ['status'], ['--json', 'status']]) {
        runs.push(await cli(args));
      }
      for (const run of runs) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
    }, 120_000);

    it('with the state file lost, up creates nothing and adopts every resource', async () => {
      const before = JSON.parse(await readFile(project.stateFile, 'utf8')) as {
        resources: Record<string, Record<string, unknown>>;
      };
      await rm(join(project.dir, '.tekamolo'), { recursive: true });

      const { records: adopted } = await up('adopt');
      expect(changingCalls(adopted)).toEqual([]);
      await expectOneOfEach();
      const after = JSON.parse(await readFile(project.stateFile, 'utf8')) as {
        resources: Record<string, Record<string, unknown>>;
      };
      expect(Object.keys(after.resources).sort()).toEqual(Object.keys(before.resources).sort());
      for (const key of ['distribution', 'loadBalancer', 'listener', 'autoScalingGroup', 'elasticIp']) {
        expect(after.resources[key]).toMatchObject({ id: before.resources[key]?.id });
      }
    }, 120_000);

    it('drift behind its back shows in plan (exit 3) and up restores it; then plan --exit-code exits 0', async () => {
      const groups = await groupsByResource();
      const instanceGroupId = String(groups['sg.instances']?.GroupId);

      // 1. the www A alias disappears
      const www = (await records()).find((r) => r.Name === `www.${DOMAIN}.` && r.Type === 'A');
      await sdk.route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: www }] },
        }),
      );
      // 2. SSH opened to the world
      await sdk.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: instanceGroupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      );
      // 3. the group's maximum changed
      await sdk.autoscaling.send(
        new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: `${STACK}-backend`, MaxSize: 5 }),
      );
      // 4. the HTTPS listener deleted
      const alb = await theLoadBalancer();
      const [listener] = await httpsListeners(String(alb.LoadBalancerArn));
      await sdk.elbv2.send(new DeleteListenerCommand({ ListenerArn: listener?.ListenerArn }));

      // 5. a second Elastic IP under the stack's tags, as an AllocateAddress retried after a lost answer leaves
      await sdk.ec2.send(
        new AllocateAddressCommand({
          Domain: 'vpc',
          TagSpecifications: [
            {
              ResourceType: 'elastic-ip',
              Tags: [
                { Key: 'tekamolo:stack', Value: STACK },
                { Key: 'tekamolo:resource', Value: 'elasticIp' },
              ],
            },
          ],
        }),
      );

      const planTrace = trace('drift-plan');
      const plan = await cli(['--trace', planTrace, 'plan', '--exit-code']);
      expect(plan.code).toBe(3);
      for (const key of ['dnsAlias', 'sg.instances', 'autoScalingGroup', 'listener', 'elasticIp']) {
        expect(plan.stdout).toContain(key);
      }
      expect(changingCalls(await readTrace(planTrace))).toEqual([]);
      const json = await cli(['--json', 'plan']);
      const doc = JSON.parse(json.stdout) as { resources: { key: string; action: string }[] };
      const changed = Object.fromEntries(
        doc.resources.filter((r) => r.action !== 'noop').map((r) => [r.key, r.action]),
      );
      expect(Object.keys(changed)).toEqual(
        expect.arrayContaining(['dnsAlias', 'sg.instances', 'autoScalingGroup', 'listener']),
      );
      expect(changed.listener).toBe('create');
      expect(changed['sg.instances']).toBe('update');
      expect(changed.autoScalingGroup).toBe('update');
      expect(changed.elasticIp).toBe('update');
      // What depends on the deleted listener still exists: it is updated, never created a second time.
      expect(changed.distribution).toBe('update');
      expect(changed.bucketPolicy).toBeUndefined();
      // One record of the set is gone, the others are ours: the set is updated, not created.
      expect(changed.dnsAlias).toBe('update');

      await up('restore');
      expect((await records()).map(recordKey)).toContain(`www.${DOMAIN}. A`);
      const restored = (await groupsByResource())['sg.instances'];
      const ssh = restored?.IpPermissions?.filter((p) => p.FromPort === 22) ?? [];
      expect(ssh.flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp))).toEqual([SSH_CIDR]);
      expect((await theGroup()).MaxSize).toBe(2);
      const listeners = await httpsListeners(String(alb.LoadBalancerArn));
      expect(listeners).toHaveLength(1);
      expect(listeners[0]?.DefaultActions?.[0]?.FixedResponseConfig?.StatusCode).toBe('403');
      // The new listener forwards on the header value CloudFront sends, or every API request gets 403.
      const rules = await sdk.elbv2.send(
        new DescribeRulesCommand({ ListenerArn: listeners[0]?.ListenerArn }),
      );
      const header = rules.Rules?.find((r) => !r.IsDefault)?.Conditions?.[0]?.HttpHeaderConfig;
      const [distributionId] = await stackDistributions(sdk.cloudfront, STACK);
      const config = (await sdk.cloudfront.send(new GetDistributionCommand({ Id: distributionId })))
        .Distribution?.DistributionConfig;
      const apiOrigin = config?.Origins?.Items?.find((o) => o.DomainName === `origin.${DOMAIN}`);
      expect(apiOrigin?.CustomHeaders?.Items).toEqual([
        { HeaderName: header?.HttpHeaderName, HeaderValue: header?.Values?.[0] },
      ]);
      await expectOneOfEach();

      const clean = await cli(['plan', '--exit-code']);
      expect(clean.stdout).toContain('0 to create, 0 to update, 0 to replace, 0 to take over');
      expect(clean.code).toBe(0);
    }, 120_000);

    // Last: the refused rollout leaves the stack drifted.
    it('a user-data change: plan names the instance replacement; an up whose refresh is refused fails and leaves drift', async () => {
      await writeFile(join(project.dir, 'user-data.sh'), '#!/bin/sh\necho two\n');

      const replacement =
        'instanceRefresh: 1 of 1 instances on template v1, group on v1 → 1 instance replaced, rolling, min healthy 100%';
      const plan = await cli(['plan', '--exit-code']);
      expect(plan.code).toBe(3);
      expect(plan.stdout).toContain(replacement);

      // The emulator does not implement StartInstanceRefresh: the rollout cannot start.
      const refused = await cli(['--trace', trace('refused'), 'up']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('autoScalingGroup');
      const group = await theGroup();
      expect(group.LaunchTemplate?.Version).toBe('1');
      expect(group.Instances).toHaveLength(1);

      // The emulator reports an instance's version as the template's default (2 now), so the group's
      // own version is what proves the rollout missing, as it does on AWS.
      const after = await cli(['plan', '--exit-code']);
      expect(after.code).toBe(3);
      expect(after.stdout).toMatch(
        /instanceRefresh: 1 of 1 instances on template v\d, group on v1 → 1 instance replaced/,
      );
      expect(after.stdout).toMatch(/launchTemplateVersion: 1 → 2/);
      const status = await cli(['status', '--exit-code']);
      expect(status.code).toBe(3);
      const row = status.stdout.split('\n').find((l) => l.trimStart().startsWith('autoScalingGroup '));
      expect(row).toMatch(/drifted.*group on v1/);
    }, 120_000);
  });
});
