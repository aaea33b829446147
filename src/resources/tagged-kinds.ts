import type { TaggedKind } from '../engine/contract.js';

/**
 * The kinds `up` and `destroy` delete when they carry the stack's tag but are not what the graph
 * wants (leftovers), by resource key: the type in their ARN and the state entry their handler's
 * `find` reads them by. The bucket is not among them: an old bucket holds a site, and deleting it is
 * left to the person who changed `frontend.bucket`. Nor is the instance role: IAM is global and the
 * Tagging API does not list roles; its one fixed name per stack finds it, and after
 * `backend.sessionManager: false` its state entry does.
 */
export const taggedKinds: Record<string, TaggedKind> = {
  'certificate.cdn': { type: 'acm:certificate', saved: (arn, region) => ({ arn, region }) },
  'certificate.origin': { type: 'acm:certificate', saved: (arn, region) => ({ arn, region }) },
  'sg.alb': { type: 'ec2:security-group', saved: (groupId) => ({ groupId }) },
  'sg.instances': { type: 'ec2:security-group', saved: (groupId) => ({ groupId }) },
  targetGroup: { type: 'elasticloadbalancing:targetgroup', saved: (arn) => ({ arn }) },
  loadBalancer: { type: 'elasticloadbalancing:loadbalancer', saved: (arn) => ({ arn }) },
  launchTemplate: { type: 'ec2:launch-template', saved: (id) => ({ id }) },
  autoScalingGroup: { type: 'autoscaling:autoScalingGroup', saved: (name) => ({ name }) },
  elasticIp: { type: 'ec2:elastic-ip', saved: (allocationId) => ({ allocationId }) },
  distribution: { type: 'cloudfront:distribution', saved: (id) => ({ id }) },
};
