import type { Unknown } from '../engine/contract.js';

/**
 * What each resource hands to its dependents (and saves in state). One place, so that producers and
 * consumers agree on field names. A field typed `T | Unknown` is one that an update hands over as
 * unknown in `plan` (the handler's `outputsChangedBy`), while the rest of the outputs are known.
 */

export interface ZoneOutputs {
  zoneId: string;
  name: string;
  nameServers: string[];
}

export interface CertificateOutputs {
  arn: string;
  domainNames: string[];
  status: string;
}

export interface ValidationRecord {
  name: string;
  type: string;
  value: string;
}

export interface ValidationOutputs {
  records: ValidationRecord[];
  /** The ARN the listener uses: certificate.origin, or certificate.cdn when the region is us-east-1. */
  originCertificateArn: string;
  cdnCertificateArn: string;
}

export interface BucketOutputs {
  name: string;
  arn: string;
  region: string;
  /** <bucket>.s3.<region>.amazonaws.com: the REST endpoint CloudFront reaches through OAC. */
  regionalDomainName: string;
}

export interface OriginAccessControlOutputs {
  id: string;
}

export interface NetworkOutputs {
  vpcId: string;
  subnetIds: string[];
}

export interface SecurityGroupOutputs {
  groupId: string;
}

export interface TargetGroupOutputs {
  arn: string;
  name: string;
  port: number;
}

export interface LoadBalancerOutputs {
  arn: string;
  dnsName: string;
  canonicalHostedZoneId: string;
}

export interface ListenerOutputs {
  arn: string;
  /** Header CloudFront adds to origin requests; the listener forwards only requests carrying it. */
  originHeaderName: string;
  /** Generated once, kept in the state file (mode 0600), never printed. */
  originSecret: string;
}

export interface OriginRecordOutputs {
  name: string;
}

export interface InstanceRoleOutputs {
  roleName: string;
  roleArn: string;
  profileName: string;
  /** What the launch template names the profile by; unknown in `plan` when the profile is made anew. */
  profileArn: string | Unknown;
}

export interface LaunchTemplateOutputs {
  id: string;
  name: string;
  /** Unknown in `plan` when the update makes a new version (outputsChangedBy). */
  version: number | Unknown;
}

export interface AutoScalingGroupOutputs {
  name: string;
}

export interface ElasticIpOutputs {
  allocationId: string;
  publicIp: string;
  instanceId?: string;
}

export interface RoutingFunctionOutputs {
  name: string;
  arn: string;
}

export interface DistributionOutputs {
  id: string;
  arn: string;
  domainName: string;
}

export interface BucketPolicyOutputs {
  sid: string;
}

export interface DnsAliasOutputs {
  names: string[];
}

declare module '../engine/contract.js' {
  /** Which outputs each resource key hands to its dependents (see the engine's contract). */
  interface OutputsByKey {
    zone: ZoneOutputs;
    'certificate.cdn': CertificateOutputs;
    /** Absent when the stack's region is us-east-1: the CDN certificate serves the ALB too. */
    'certificate.origin': CertificateOutputs | undefined;
    validation: ValidationOutputs;
    bucket: BucketOutputs;
    oac: OriginAccessControlOutputs;
    network: NetworkOutputs;
    'sg.alb': SecurityGroupOutputs;
    'sg.instances': SecurityGroupOutputs;
    targetGroup: TargetGroupOutputs;
    loadBalancer: LoadBalancerOutputs;
    listener: ListenerOutputs;
    originRecord: OriginRecordOutputs;
    /** Absent unless backend.sessionManager. */
    instanceRole: InstanceRoleOutputs | undefined;
    launchTemplate: LaunchTemplateOutputs;
    autoScalingGroup: AutoScalingGroupOutputs;
    /** Absent unless backend.elasticIp. */
    elasticIp: ElasticIpOutputs | undefined;
    /** Absent when frontend.routing is none. */
    spaFunction: RoutingFunctionOutputs | undefined;
    distribution: DistributionOutputs;
    bucketPolicy: BucketPolicyOutputs;
    dnsAlias: DnsAliasOutputs;
  }
}
