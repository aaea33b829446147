import type { AnyResource } from '../engine/contract.js';
import { autoScalingGroup } from './auto-scaling-group.js';
import { bucket } from './bucket.js';
import { bucketPolicy } from './bucket-policy.js';
import { cdnCertificate, originCertificate } from './certificate.js';
import { certificateValidation } from './certificate-validation.js';
import { distribution } from './distribution.js';
import { dnsAlias } from './dns-alias.js';
import { elasticIp } from './elastic-ip.js';
import { launchTemplate } from './launch-template.js';
import { listener } from './listener.js';
import { loadBalancer } from './load-balancer.js';
import { network } from './network.js';
import { originAccessControl } from './origin-access-control.js';
import { originRecord } from './origin-record.js';
import { routingFunction } from './routing-function.js';
import { albSecurityGroup, instanceSecurityGroup } from './security-group.js';
import { targetGroup } from './target-group.js';
import { zone } from './zone.js';

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
 *   launchTemplate      ← sg.instances
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
  launchTemplate,
  autoScalingGroup,
  elasticIp,
  routingFunction,
  distribution,
  bucketPolicy,
  dnsAlias,
];
