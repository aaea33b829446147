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
 * The stack on one page. Each handler declares its own `dependsOn`; this list is the whole graph:
 *
 *   zone ──► certificate.cdn ──┐
 *        └─► certificate.origin ┴► validation ───────────────┐
 *   network ─► sg.alb ─► sg.instances ─► launchTemplate ─┐   │
 *          │        └─► loadBalancer ─┬─► listener ◄─────┼───┤ (+ targetGroup)
 *          └─► targetGroup ───────────┼──────────────────┴► autoScalingGroup ─► elasticIp
 *                                     └─► originRecord (+ zone)
 *   bucket, oac, spaFunction, validation, originRecord, listener ─► distribution
 *   distribution ─► bucketPolicy (+ bucket)
 *   distribution ─► dnsAlias (+ zone)
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
