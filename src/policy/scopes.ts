import type { Names } from '../config/names.js';
import type { Config } from '../config/schema.js';
import type { Scope } from './calls.js';

export type Condition = Record<string, Record<string, string | string[]>>;

/**
 * Where one group of actions is allowed. Every scope either names this stack's resources, or carries a
 * condition on the stack's tag, or says why IAM cannot narrow it further (`reason`).
 */
export interface ScopeGrant {
  resources: string[];
  condition?: Condition;
  reason?: string;
  /**
   * The statement (Sid) it is written into; scopes with the same statement share its condition. An
   * action matches only ARNs of its own service and resource type, so merging adds no permission, and
   * keeps the document within IAM's 6,144 characters for a managed policy.
   */
  statement?: string;
}

const STACK_TAG = 'tekamolo:stack';
/** The CloudFront certificate is always in us-east-1 (ARCHITECTURE §3). */
const CDN_CERT_REGION = 'us-east-1';

/**
 * The account is left as `*`: `policy` works offline, before any credentials exist, and a policy
 * attached in one account grants nothing on another account's resources anyway.
 */
export function scopes(config: Config, names: Names): Record<Scope, ScopeGrant | undefined> {
  const { region, stack } = config;
  const ec2 = (kind: string) => `arn:aws:ec2:${region}:*:${kind}`;
  const certificateRegions = [...new Set([CDN_CERT_REGION, region])];
  const certificates = certificateRegions.map((r) => `arn:aws:acm:${r}:*:certificate/*`);
  const distributions = ['arn:aws:cloudfront::*:distribution/*'];
  // Not cut by fitName: a stack name has at most 20 characters and an account id 12.
  const bucket = `arn:aws:s3:::${config.frontend.bucket ?? `${stack}-site-*`}`;
  // The state in S3 (state.bucket): the state object and its lock beside it, or the whole bucket when
  // the key is the default one, which depends on the stage.
  const stateBucket = config.state?.bucket ? `arn:aws:s3:::${config.state.bucket}` : undefined;
  const stateKey = config.state?.key;
  const zoneId = config.dns.hostedZoneId?.replace(/^\/?hostedzone\//, '');
  const zone = [`arn:aws:route53:::hostedzone/${zoneId ?? '*'}`];
  const zoneReason = zoneId
    ? undefined
    : 'the hosted zone is found by its name at run time; set dns.hostedZoneId to name it here';
  const created = {
    condition: { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: stack } },
    statement: 'CreateTagged',
  };
  const tagged = {
    condition: { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: stack } },
    statement: 'Tagged',
  };
  const named = { statement: 'Named' };
  const recognised = {
    statement: 'Recognise',
    reason: 'AWS picks the ids of certificates and distributions: which are ours is known only once read',
  };
  const lb = names.loadBalancer;
  const recordNames = [...names.siteNames, names.originName].map((n) => n.toLowerCase());
  const parameter = config.backend.ami.startsWith('ssm:') ? config.backend.ami.slice(4) : undefined;
  // IAM is global: no region in its ARNs. The role and its profile share one name.
  const role = `arn:aws:iam::*:role/${names.instanceRole}`;
  const roleOn = config.backend.sessionManager;

  return {
    anywhere: {
      resources: ['*'],
      reason:
        'IAM has no resource-level permissions for these list, describe and identity calls; they change nothing',
    },
    parameter: parameter
      ? {
          resources: [`arn:aws:ssm:${region}::parameter${parameter.startsWith('/') ? '' : '/'}${parameter}`],
          ...named,
        }
      : undefined,
    zone: zoneReason ? { resources: zone, reason: zoneReason } : { resources: zone, ...named },
    zoneRecords: withReason(
      {
        resources: zone,
        condition: {
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
              ...recordNames,
              `_*.${config.domain.toLowerCase()}`,
            ],
          },
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA', 'CNAME'],
          },
        },
      },
      zoneReason,
    ),
    certificates: { resources: certificates, ...recognised },
    newCertificate: { resources: certificates, ...created },
    ownCertificate: { resources: certificates, ...tagged },
    bucket: { resources: [bucket], ...named },
    objects: { resources: [`${bucket}/*`], ...named },
    stateBucket: stateBucket ? { resources: [stateBucket], ...named } : undefined,
    stateObjects: stateBucket
      ? {
          resources: stateKey
            ? [`${stateBucket}/${stateKey}`, `${stateBucket}/${stateKey}.lock`]
            : [`${stateBucket}/*`],
          ...named,
        }
      : undefined,
    distributions: { resources: distributions, ...recognised },
    newDistribution: { resources: distributions, ...created },
    ownDistribution: { resources: distributions, ...tagged },
    originAccessControls: {
      resources: ['arn:aws:cloudfront::*:origin-access-control/*'],
      reason: 'origin access controls take no tags and AWS picks their id',
    },
    function: { resources: [`arn:aws:cloudfront::*:function/${names.spaFunction}`], ...named },
    ec2New: {
      // The tag condition is the scope: every EC2 resource the stack creates carries the tag.
      resources: [ec2('*')],
      ...created,
    },
    ec2TagOnCreate: {
      resources: [ec2('*')],
      condition: {
        StringEquals: {
          'ec2:CreateAction': [
            'CreateSecurityGroup',
            'CreateLaunchTemplate',
            'AllocateAddress',
            'RunInstances',
          ],
        },
      },
    },
    ec2Own: {
      resources: [ec2('*')],
      ...tagged,
    },
    ec2Launch: {
      resources: [ec2('*')],
      reason:
        'Auto Scaling launches with images, subnets, volumes and network interfaces that carry no stack tag',
    },
    networkInterfaces: {
      resources: [ec2('network-interface/*')],
      reason: 'the network interface EC2 creates with an instance carries no stack tag',
    },
    vpc: withReason(
      { resources: [ec2(`vpc/${config.backend.vpcId ?? '*'}`)] },
      config.backend.vpcId
        ? undefined
        : 'the default VPC is found at run time; set backend.vpcId to name it here',
    ),
    loadBalancing: {
      // `*/app/NAME/*`: the load balancer, its listeners and their rules.
      resources: [`*/app/${lb}/*`, `targetgroup/${stack}-tg-*/*`].map(
        (r) => `arn:aws:elasticloadbalancing:${region}:*:${r}`,
      ),
      ...named,
    },
    autoScalingGroup: {
      resources: [
        `arn:aws:autoscaling:${region}:*:autoScalingGroup:*:autoScalingGroupName/${names.autoScalingGroup}`,
      ],
      ...named,
    },
    serviceLinkedRoles: {
      resources: [
        'elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing',
        'autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
      ].map((role) => `arn:aws:iam::*:role/aws-service-role/${role}`),
      ...named,
    },
    instanceRole: roleOn
      ? { resources: [role, `arn:aws:iam::*:instance-profile/${names.instanceRole}`], ...named }
      : undefined,
    // A role that may take any policy, or be handed to any service, would be a way around this
    // policy: only the Session Manager policy is attached, and the role is passed only to EC2. One
    // statement for both (each condition key is present only in its own action's request).
    instanceRoleGuarded: roleOn
      ? {
          resources: [role],
          condition: {
            ArnEqualsIfExists: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' },
            StringEqualsIfExists: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          },
        }
      : undefined,
  };
}

function withReason(grant: ScopeGrant, reason: string | undefined): ScopeGrant {
  return reason ? { ...grant, reason } : grant;
}
