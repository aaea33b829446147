/**
 * How long each long wait usually takes on AWS, shown while waiting so that a user can tell a slow
 * but normal wait from a stuck one. The pages below describe each wait and its states; they give no
 * typical duration (ACM's only figure is its 72-hour validation limit), so the figures are ranges
 * commonly seen, to be corrected from real runs:
 *
 * - ACM DNS validation: ACM checks for the validation CNAME repeatedly once it is in public DNS; the
 *   AWS Certificate Manager User Guide, "AWS Certificate Manager DNS validation"
 *   (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html), and "Troubleshoot DNS
 *   validation problems" (…/troubleshooting-DNS-validation.html), which allows up to 30 minutes for
 *   records to be seen before looking for a fault.
 * - CloudFront: a distribution is InProgress until the change reached every edge location, then
 *   Deployed; the Amazon CloudFront Developer Guide, "Update a distribution"
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowToUpdateDistribution.html).
 * - Application Load Balancer: created in state `provisioning`, then `active`; Elastic Load Balancing
 *   User Guide for Application Load Balancers, "Create an Application Load Balancer"
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-application-load-balancer.html).
 * - Instance refresh: replaces instances in batches, each waiting for launch, health checks and the
 *   instance warm-up; Amazon EC2 Auto Scaling User Guide, "How an instance refresh works"
 *   (https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-overview.html).
 */
export const USUALLY = {
  certificateValidation: 'usually 5–30 minutes once public DNS reaches the zone',
  cloudFrontDeployment: 'usually 5–10 minutes',
  loadBalancerActive: 'usually 2–5 minutes',
  instanceRefresh: 'usually 5–15 minutes per batch of instances',
} as const;
