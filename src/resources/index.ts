import type { AnyResource } from '../engine/contract.js';
import { cdnCertificate, originCertificate } from './acm/certificate.js';
import { certificateValidation } from './acm/certificate-validation.js';
import { autoScalingGroup } from './autoscaling/auto-scaling-group.js';
import { distribution } from './cloudfront/distribution.js';
import { originAccessControl } from './cloudfront/origin-access-control.js';
import { routingFunction } from './cloudfront/routing-function.js';
import { elasticIp } from './ec2/elastic-ip.js';
import { launchTemplate } from './ec2/launch-template.js';
import { network } from './ec2/network.js';
import { albSecurityGroup, instanceSecurityGroup } from './ec2/security-group.js';
import { listener } from './elbv2/listener.js';
import { loadBalancer } from './elbv2/load-balancer.js';
import { targetGroup } from './elbv2/target-group.js';
import { instanceRole } from './iam/instance-role.js';
import { dnsAlias } from './route53/dns-alias.js';
import { originRecord } from './route53/origin-record.js';
import { zone } from './route53/zone.js';
import { bucket } from './s3/bucket.js';
import { bucketPolicy } from './s3/bucket-policy.js';

/**
 * The stack on one page. Each handler declares its own `dependsOn`; this is the whole graph
 * (test/unit/resources/stack-graph.test.ts keeps this table true):
 *
 *   zone                ← (looked up, never created)
 *   certificate.cdn     ← zone                                  us-east-1, for CloudFront
 *   certificate.origin  ← zone                                  the stack's region, for the ALB
 *   validation          ← zone, certificate.cdn, certificate.origin   holds dependents until ISSUED
 *   bucket              ←
 *   oac                 ←
 *   network             ← (looked up, never created)
 *   sg.alb              ← network
 *   sg.instances        ← network, sg.alb
 *   targetGroup         ← network
 *   loadBalancer        ← network, sg.alb
 *   listener            ← loadBalancer, targetGroup, validation
 *   originRecord        ← zone, loadBalancer
 *   instanceRole        ←                                       only when backend.sessionManager
 *   launchTemplate      ← sg.instances, instanceRole
 *   autoScalingGroup    ← launchTemplate, targetGroup, network
 *   elasticIp           ← autoScalingGroup
 *   spaFunction         ←                                       only when frontend.routing ≠ none
 *   distribution        ← bucket, oac, validation, originRecord, listener, spaFunction
 *   bucketPolicy        ← distribution, bucket                  deleted after the distribution
 *   dnsAlias            ← distribution, zone
 *
 * Destroy walks it backwards.
 */
export const stack: AnyResource[] = [
  zone,
  cdnCertificate,
  originCertificate,
  certificateValidation,
  bucket,
  originAccessControl,
  network,
  albSecurityGroup,
  instanceSecurityGroup,
  targetGroup,
  loadBalancer,
  listener,
  originRecord,
  instanceRole,
  launchTemplate,
  autoScalingGroup,
  elasticIp,
  routingFunction,
  distribution,
  bucketPolicy,
  dnsAlias,
];
