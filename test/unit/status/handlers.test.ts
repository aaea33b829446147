import { ACMClient, DescribeCertificateCommand, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CloudFrontClient,
  GetDistributionCommand,
  ListInvalidationsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import { DescribeAddressesCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AnyResource, stackTags, tagList } from '../../../src/engine/contract.js';
import { ExitCode } from '../../../src/errors.js';
import { cdnCertificate } from '../../../src/resources/acm/certificate.js';
import { distribution } from '../../../src/resources/cloudfront/distribution.js';
import { applySettings, knownSettings } from '../../../src/resources/cloudfront/distribution-settings.js';
import { elasticIp } from '../../../src/resources/ec2/elastic-ip.js';
import { targetGroup } from '../../../src/resources/elbv2/target-group.js';
import { originRecord } from '../../../src/resources/route53/origin-record.js';
import { statusExitCode } from '../../../src/status/exit-code.js';
import { readStatus } from '../../../src/status/read.js';
import { testConfig, testContext } from '../../support/context.js';
import { FakeCloud, fakeEnv, fakeResource } from '../../support/fake-resources.js';

/**
 * The real handlers' `find`, `describe` and `health` against mocked AWS answers, through the status
 * reading: the states the emulator cannot hold (a pending certificate, a deploying distribution,
 * failing targets, a terminated instance, a record someone else owns) become the right rows, next
 * steps and exit code. Dependencies are stand-ins that hand over fixed outputs.
 */

const config = testConfig({ frontend: { routing: 'none' } });

/** A dependency that exists, is in sync and hands `outputs` to its dependents. */
function standIn(cloud: FakeCloud, key: string, outputs: Record<string, unknown>, readOnly = false) {
  cloud.seed({ name: key, spec: outputs });
  return fakeResource(cloud, { key, spec: outputs, readOnly });
}

const ZONE = {
  zoneId: 'ZONE1',
  name: 'example.com',
  nameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'],
};

async function statusOf(resources: AnyResource[], saved: Record<string, Record<string, unknown>> = {}) {
  const env = await fakeEnv(resources, { config });
  for (const [key, entry] of Object.entries(saved)) env.store.set(key, entry);
  // A state file on disk: the "no state file" note is tested elsewhere.
  await env.store.save();
  const report = await readStatus(env);
  return { report, row: (key: string) => report.rows.find((r) => r.key === key) };
}

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

describe('status with the real handlers', () => {
  const acm = mockClient(ACMClient);
  const cloudfront = mockClient(CloudFrontClient);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  const ec2 = mockClient(EC2Client);
  const autoscaling = mockClient(AutoScalingClient);
  const route53 = mockClient(Route53Client);
  const mocks = [acm, cloudfront, elbv2, ec2, autoscaling, route53];

  beforeEach(() => {
    for (const m of mocks) m.reset();
  });
  afterEach(() => {
    for (const m of mocks) m.reset();
  });

  it('a certificate pending validation: pending, its records, and the NS delegation to check', async () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-111122223333';
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        CertificateArn: arn,
        DomainName: 'example.com',
        SubjectAlternativeNames: ['example.com', 'www.example.com'],
        Status: 'PENDING_VALIDATION',
        DomainValidationOptions: [
          {
            DomainName: 'example.com',
            ResourceRecord: { Name: '_x1.example.com.', Type: 'CNAME', Value: '_y1.acm-validations.aws.' },
          },
        ],
      },
    });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: tagList(stackTags(config, 'certificate.cdn')) });
    const cloud = new FakeCloud();
    const { report, row } = await statusOf([standIn(cloud, 'zone', ZONE, true), cdnCertificate], {
      'certificate.cdn': { arn, region: 'us-east-1' },
    });
    expect(row('certificate.cdn')).toMatchObject({
      state: 'pending',
      id: arn,
      shortId: 'certificate/0f1e2d3c…',
      detail: 'PENDING_VALIDATION, 1 validation record(s)',
      changes: [],
    });
    expect(row('certificate.cdn')?.health?.detail).toContain('_x1.example.com CNAME _y1.acm-validations.aws');
    expect(report.summary.nextSteps).toEqual([
      "certificate pending: the CNAMEs are in Route 53; check that the domain's NS records point at the hosted zone (ns-1.awsdns-01.org, ns-2.awsdns-02.com)",
    ]);
    expect(statusExitCode(report, true)).toBe(ExitCode.differs);
  });

  it('a distribution still deploying: pending, with its invalidations in progress', async () => {
    const outputs = {
      bucket: {
        name: 'demo-site',
        arn: 'arn:aws:s3:::demo-site',
        region: 'eu-central-1',
        regionalDomainName: 'demo-site.s3.eu-central-1.amazonaws.com',
      },
      oac: { id: 'OAC1' },
      validation: {
        records: [],
        cdnCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/cdn',
        originCertificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/origin',
      },
      originRecord: { name: 'origin.example.com' },
      listener: {
        arn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/demo-alb/1/2',
        originHeaderName: 'X-Origin-Verify',
        originSecret: 's3cr3t',
      },
    };
    const desired = await distribution.desired(testContext({ key: 'distribution', config, outputs }));
    const id = 'E2EXAMPLE';
    const arn = `arn:aws:cloudfront::123456789012:distribution/${id}`;
    cloudfront.on(GetDistributionCommand).resolves({
      ETag: 'E1',
      Distribution: {
        Id: id,
        ARN: arn,
        DomainName: 'd111.cloudfront.net',
        Status: 'InProgress',
        LastModifiedTime: new Date(),
        InProgressInvalidationBatches: 1,
        DistributionConfig: applySettings(undefined, knownSettings(desired.settings), {
          callerReference: desired.callerReference,
          comment: desired.comment,
        }),
      },
    });
    cloudfront
      .on(ListTagsForResourceCommand)
      .resolves({ Tags: { Items: tagList(stackTags(config, 'distribution')) } });
    cloudfront.on(ListInvalidationsCommand).resolves({
      InvalidationList: {
        Marker: '',
        MaxItems: 100,
        IsTruncated: false,
        Quantity: 2,
        Items: [
          { Id: 'I1', CreateTime: new Date(), Status: 'InProgress' },
          { Id: 'I2', CreateTime: new Date(), Status: 'Completed' },
        ],
      },
    });
    const cloud = new FakeCloud();
    const { report, row } = await statusOf(
      [
        ...Object.entries(outputs).map(([key, o]) => standIn(cloud, key, o)),
        fakeResource(cloud, { key: 'spaFunction', enabled: false }),
        distribution,
      ],
      { distribution: { id } },
    );
    expect(row('distribution')).toMatchObject({
      state: 'pending',
      id,
      detail: 'InProgress, d111.cloudfront.net, 1 invalidation in progress',
      health: { state: 'pending', detail: 'changes are deploying to the edge (InProgress)' },
      changes: [],
    });
    expect(report.summary.urls.cloudfront).toBe('https://d111.cloudfront.net/');
    expect(report.summary.nextSteps).toEqual([
      'CloudFront is deploying (changes are deploying to the edge (InProgress)): this usually takes 5–15 minutes; run `tekamolo status` again',
    ]);
    expect(statusExitCode(report, true)).toBe(ExitCode.differs);
  });

  it('failing targets: unhealthy, with the reason of each failing target and what to check', async () => {
    const arn = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/abc';
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        {
          TargetGroupArn: arn,
          TargetGroupName: 'demo-tg-8080',
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: 'vpc-1',
          HealthCheckPath: '/api/health',
          Matcher: { HttpCode: '200-399' },
        },
      ],
    });
    elbv2
      .on(DescribeTagsCommand)
      .resolves({ TagDescriptions: [{ ResourceArn: arn, Tags: tagList(stackTags(config, 'targetGroup')) }] });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: 'i-2', Port: 8080 },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [502]',
          },
        },
      ],
    });
    const cloud = new FakeCloud();
    const { report, row } = await statusOf([
      standIn(cloud, 'network', { vpcId: 'vpc-1', subnetIds: ['subnet-a', 'subnet-b'] }, true),
      targetGroup,
    ]);
    expect(row('targetGroup')).toMatchObject({
      state: 'unhealthy',
      shortId: 'demo-tg-8080',
      detail: 'demo-tg-8080 HTTP:8080, 1/2 targets healthy',
      health: {
        state: 'unhealthy',
        detail:
          '1/2 healthy; i-2 unhealthy: Target.ResponseCodeMismatch Health checks failed with these codes: [502]',
      },
    });
    expect(report.summary.nextSteps).toEqual([
      'targets fail the health check (1/2 healthy; i-2 unhealthy: Target.ResponseCodeMismatch Health checks failed with these codes: [502]): check that the app answers GET /api/health on port 8080 on the instances (user data, instance logs)',
    ]);
    expect(statusExitCode(report, true)).toBe(ExitCode.differs);
    expect(statusExitCode(report, false)).toBe(ExitCode.ok);
  });

  describe('an Elastic IP whose instance was terminated', () => {
    const address = {
      AllocationId: 'eipalloc-1',
      PublicIp: '198.51.100.7',
      AssociationId: 'eipassoc-1',
      InstanceId: 'i-old',
      Tags: tagList(stackTags(config, 'elasticIp')),
    };
    const group = (instances: string[]) => ({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'demo-backend',
          MinSize: 1,
          MaxSize: 2,
          DesiredCapacity: 1,
          DefaultCooldown: 300,
          AvailabilityZones: ['eu-central-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(),
          Instances: instances.map((id) => ({
            InstanceId: id,
            LifecycleState: 'InService' as const,
            HealthStatus: 'Healthy',
            AvailabilityZone: 'eu-central-1a',
            ProtectedFromScaleIn: false,
          })),
        },
      ],
    });
    const eipStack = () => {
      const cloud = new FakeCloud();
      return [standIn(cloud, 'autoScalingGroup', { name: 'demo-backend' }), elasticIp];
    };

    beforeEach(() => {
      ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address] });
      ec2.on(DescribeInstancesCommand).resolves({
        Reservations: [{ Instances: [{ InstanceId: 'i-old', State: { Name: 'terminated', Code: 48 } }] }],
      });
    });

    it('with no instance to move to: unhealthy, says the instance is terminated', async () => {
      autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group([]));
      const { report, row } = await statusOf(eipStack(), { elasticIp: { allocationId: 'eipalloc-1' } });
      expect(row('elasticIp')).toMatchObject({
        state: 'unhealthy',
        detail: '198.51.100.7 → i-old (terminated)',
        health: {
          state: 'unhealthy',
          detail: '198.51.100.7 points at i-old, which is terminated; up re-associates it',
        },
      });
      expect(report.summary.nextSteps).toEqual([
        'elasticIp: 198.51.100.7 points at i-old, which is terminated; up re-associates it',
      ]);
      expect(statusExitCode(report, true)).toBe(ExitCode.differs);
    });

    it('with a replacement instance in service: drifted to it, the health detail kept', async () => {
      autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group(['i-new']));
      const { report, row } = await statusOf(eipStack(), { elasticIp: { allocationId: 'eipalloc-1' } });
      expect(row('elasticIp')?.state).toBe('drifted');
      expect(row('elasticIp')?.changes.map((c) => [c.field, c.from, c.to])).toEqual([
        ['instanceId', 'i-old', 'i-new'],
      ]);
      expect(row('elasticIp')?.health?.state).toBe('unhealthy');
      expect(statusExitCode(report, true)).toBe(ExitCode.differs);
    });

    it('an instance EC2 no longer knows reads as gone', async () => {
      ec2.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
      autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group([]));
      const { row } = await statusOf(eipStack(), { elasticIp: { allocationId: 'eipalloc-1' } });
      expect(row('elasticIp')).toMatchObject({
        state: 'unhealthy',
        detail: '198.51.100.7 → i-old (no longer exists)',
      });
    });
  });

  it('a DNS record of ours that points elsewhere: foreign, with what it points to', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      IsTruncated: false,
      MaxItems: 10,
      ResourceRecordSets: [
        { Name: 'origin.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.7' }] },
      ],
    });
    const cloud = new FakeCloud();
    const { report, row } = await statusOf([
      standIn(cloud, 'zone', ZONE, true),
      standIn(cloud, 'loadBalancer', {
        arn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/demo-alb/1',
        dnsName: 'demo-alb-1.eu-central-1.elb.amazonaws.com',
        canonicalHostedZoneId: 'Z215JYRZR1TBD5',
      }),
      originRecord,
    ]);
    const row0 = row('originRecord');
    expect(row0?.state).toBe('foreign');
    expect(row0?.reason).toContain('192.0.2.7');
    expect(row0?.detail).toBe('origin.example.com A 192.0.2.7');
    expect(row0?.health).toMatchObject({ state: 'unhealthy' });
    expect(report.summary.nextSteps).toEqual([
      `originRecord: ${row0?.reason}; \`tekamolo up\` asks before taking it over`,
    ]);
    expect(statusExitCode(report, true)).toBe(ExitCode.differs);
  });
});
