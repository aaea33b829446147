/**
 * Every AWS SDK command tekamolo sends, keyed as the `--trace` file names it (`service:Operation`), with
 * the IAM action(s) it needs and the scope each is granted in (see scopes.ts). This table is the one
 * source of `tekamolo policy`; test/unit/policy keeps it complete against the source code and the
 * end-to-end trace test keeps it complete against what a real lifecycle calls.
 *
 * Some calls need more than their own action: AWS authorises the launch of an Auto Scaling group's
 * instances against the caller (ec2:RunInstances with the launch template, and tagging on launch), and
 * the first load balancer or Auto Scaling group of an account creates its service-linked role.
 */
export type Scope =
  | 'anywhere'
  | 'parameter'
  | 'zone'
  | 'zoneRecords'
  | 'certificates'
  | 'newCertificate'
  | 'ownCertificate'
  | 'bucket'
  | 'objects'
  | 'stateBucket'
  | 'stateObjects'
  | 'distributions'
  | 'newDistribution'
  | 'ownDistribution'
  | 'originAccessControls'
  | 'function'
  | 'ec2New'
  | 'ec2TagOnCreate'
  | 'ec2Own'
  | 'ec2Launch'
  | 'networkInterfaces'
  | 'vpc'
  | 'loadBalancing'
  | 'autoScalingGroup'
  | 'serviceLinkedRoles'
  | 'instanceRole'
  | 'instanceRoleGuarded';

export type Grant = readonly [action: string, scope: Scope];

const LAUNCH: Grant[] = [
  ['ec2:RunInstances', 'ec2Launch'],
  ['ec2:CreateTags', 'ec2TagOnCreate'],
  // Launching with the instance profile passes its role to EC2.
  ['iam:PassRole', 'instanceRoleGuarded'],
];

export const SDK_CALLS: Readonly<Record<string, readonly Grant[]>> = {
  // STS and SSM
  'sts:GetCallerIdentity': [['sts:GetCallerIdentity', 'anywhere']],
  'ssm:GetParameter': [['ssm:GetParameter', 'parameter']],
  'resourcegroupstaggingapi:GetResources': [['tag:GetResources', 'anywhere']],

  // Route 53
  'route53:ListHostedZonesByName': [['route53:ListHostedZonesByName', 'anywhere']],
  'route53:GetHostedZone': [['route53:GetHostedZone', 'zone']],
  'route53:ListResourceRecordSets': [['route53:ListResourceRecordSets', 'zone']],
  'route53:ChangeResourceRecordSets': [['route53:ChangeResourceRecordSets', 'zoneRecords']],

  // ACM
  'acm:ListCertificates': [['acm:ListCertificates', 'anywhere']],
  'acm:DescribeCertificate': [['acm:DescribeCertificate', 'certificates']],
  'acm:ListTagsForCertificate': [['acm:ListTagsForCertificate', 'certificates']],
  'acm:RequestCertificate': [
    ['acm:RequestCertificate', 'newCertificate'],
    ['acm:AddTagsToCertificate', 'newCertificate'],
  ],
  'acm:AddTagsToCertificate': [['acm:AddTagsToCertificate', 'ownCertificate']],
  'acm:DeleteCertificate': [['acm:DeleteCertificate', 'ownCertificate']],

  // S3: the site bucket
  's3:HeadBucket': [
    ['s3:ListBucket', 'bucket'],
    ['s3:ListBucket', 'stateBucket'],
  ],
  's3:CreateBucket': [
    ['s3:CreateBucket', 'bucket'],
    ['s3:CreateBucket', 'stateBucket'],
  ],
  's3:DeleteBucket': [['s3:DeleteBucket', 'bucket']],
  's3:GetBucketTagging': [['s3:GetBucketTagging', 'bucket']],
  's3:PutBucketTagging': [['s3:PutBucketTagging', 'bucket']],
  's3:GetPublicAccessBlock': [['s3:GetBucketPublicAccessBlock', 'bucket']],
  's3:PutPublicAccessBlock': [
    ['s3:PutBucketPublicAccessBlock', 'bucket'],
    ['s3:PutBucketPublicAccessBlock', 'stateBucket'],
  ],
  's3:GetBucketOwnershipControls': [['s3:GetBucketOwnershipControls', 'bucket']],
  's3:PutBucketOwnershipControls': [
    ['s3:PutBucketOwnershipControls', 'bucket'],
    ['s3:PutBucketOwnershipControls', 'stateBucket'],
  ],
  's3:GetBucketEncryption': [['s3:GetEncryptionConfiguration', 'bucket']],
  's3:PutBucketEncryption': [
    ['s3:PutEncryptionConfiguration', 'bucket'],
    ['s3:PutEncryptionConfiguration', 'stateBucket'],
  ],
  's3:GetBucketPolicy': [['s3:GetBucketPolicy', 'bucket']],
  's3:PutBucketPolicy': [['s3:PutBucketPolicy', 'bucket']],
  's3:DeleteBucketPolicy': [['s3:DeleteBucketPolicy', 'bucket']],
  's3:ListObjectsV2': [['s3:ListBucket', 'bucket']],
  's3:ListObjectVersions': [
    ['s3:ListBucketVersions', 'bucket'],
    ['s3:ListBucketVersions', 'stateBucket'],
  ],
  's3:GetObject': [
    ['s3:GetObject', 'objects'],
    ['s3:GetObject', 'stateObjects'],
  ],
  // The state's ETag; `state history` reads each version's metadata.
  's3:HeadObject': [
    ['s3:GetObject', 'stateObjects'],
    ['s3:GetObjectVersion', 'stateObjects'],
  ],
  's3:PutObject': [
    ['s3:PutObject', 'objects'],
    ['s3:PutObject', 'stateObjects'],
  ],
  // The state and its lock object, each deleted only on the ETag read (If-Match).
  's3:DeleteObject': [['s3:DeleteObject', 'stateObjects']],
  's3:GetBucketVersioning': [['s3:GetBucketVersioning', 'stateBucket']],
  's3:PutBucketVersioning': [['s3:PutBucketVersioning', 'stateBucket']],
  's3:CopyObject': [
    ['s3:GetObject', 'objects'],
    ['s3:PutObject', 'objects'],
  ],
  's3:DeleteObjects': [
    ['s3:DeleteObject', 'objects'],
    ['s3:DeleteObjectVersion', 'objects'],
  ],
  // Large files go up in parts (@aws-sdk/lib-storage).
  's3:CreateMultipartUpload': [['s3:PutObject', 'objects']],
  's3:UploadPart': [['s3:PutObject', 'objects']],
  's3:CompleteMultipartUpload': [['s3:PutObject', 'objects']],
  's3:AbortMultipartUpload': [['s3:AbortMultipartUpload', 'objects']],

  // CloudFront
  'cloudfront:ListDistributions': [['cloudfront:ListDistributions', 'anywhere']],
  'cloudfront:GetDistribution': [['cloudfront:GetDistribution', 'distributions']],
  'cloudfront:GetDistributionConfig': [['cloudfront:GetDistributionConfig', 'distributions']],
  'cloudfront:ListTagsForResource': [['cloudfront:ListTagsForResource', 'distributions']],
  'cloudfront:GetInvalidation': [['cloudfront:GetInvalidation', 'distributions']],
  'cloudfront:ListInvalidations': [['cloudfront:ListInvalidations', 'distributions']],
  'cloudfront:CreateDistributionWithTags': [
    ['cloudfront:CreateDistribution', 'newDistribution'],
    ['cloudfront:TagResource', 'newDistribution'],
  ],
  'cloudfront:UpdateDistribution': [['cloudfront:UpdateDistribution', 'ownDistribution']],
  'cloudfront:DeleteDistribution': [['cloudfront:DeleteDistribution', 'ownDistribution']],
  'cloudfront:TagResource': [['cloudfront:TagResource', 'ownDistribution']],
  'cloudfront:CreateInvalidation': [['cloudfront:CreateInvalidation', 'ownDistribution']],
  'cloudfront:ListOriginAccessControls': [['cloudfront:ListOriginAccessControls', 'anywhere']],
  'cloudfront:GetOriginAccessControl': [['cloudfront:GetOriginAccessControl', 'originAccessControls']],
  'cloudfront:CreateOriginAccessControl': [['cloudfront:CreateOriginAccessControl', 'originAccessControls']],
  'cloudfront:UpdateOriginAccessControl': [['cloudfront:UpdateOriginAccessControl', 'originAccessControls']],
  'cloudfront:DeleteOriginAccessControl': [['cloudfront:DeleteOriginAccessControl', 'originAccessControls']],
  'cloudfront:DescribeFunction': [['cloudfront:DescribeFunction', 'function']],
  'cloudfront:GetFunction': [['cloudfront:GetFunction', 'function']],
  'cloudfront:CreateFunction': [['cloudfront:CreateFunction', 'function']],
  'cloudfront:UpdateFunction': [['cloudfront:UpdateFunction', 'function']],
  'cloudfront:PublishFunction': [['cloudfront:PublishFunction', 'function']],
  'cloudfront:DeleteFunction': [['cloudfront:DeleteFunction', 'function']],

  // EC2: reads
  'ec2:DescribeVpcs': [['ec2:DescribeVpcs', 'anywhere']],
  'ec2:DescribeSubnets': [['ec2:DescribeSubnets', 'anywhere']],
  'ec2:DescribeImages': [['ec2:DescribeImages', 'anywhere']],
  'ec2:DescribeInstanceTypeOfferings': [['ec2:DescribeInstanceTypeOfferings', 'anywhere']],
  'ec2:DescribeKeyPairs': [['ec2:DescribeKeyPairs', 'anywhere']],
  'ec2:DescribeInstances': [['ec2:DescribeInstances', 'anywhere']],
  'ec2:DescribeAddresses': [['ec2:DescribeAddresses', 'anywhere']],
  'ec2:DescribeSecurityGroups': [['ec2:DescribeSecurityGroups', 'anywhere']],
  'ec2:DescribeSecurityGroupRules': [['ec2:DescribeSecurityGroupRules', 'anywhere']],
  'ec2:DescribeManagedPrefixLists': [['ec2:DescribeManagedPrefixLists', 'anywhere']],
  'ec2:DescribeNetworkInterfaces': [['ec2:DescribeNetworkInterfaces', 'anywhere']],
  'ec2:DescribeLaunchTemplates': [['ec2:DescribeLaunchTemplates', 'anywhere']],
  'ec2:DescribeLaunchTemplateVersions': [['ec2:DescribeLaunchTemplateVersions', 'anywhere']],
  // EC2: changes
  'ec2:CreateSecurityGroup': [
    ['ec2:CreateSecurityGroup', 'ec2New'],
    ['ec2:CreateSecurityGroup', 'vpc'],
    ['ec2:CreateTags', 'ec2TagOnCreate'],
  ],
  'ec2:AuthorizeSecurityGroupIngress': [['ec2:AuthorizeSecurityGroupIngress', 'ec2Own']],
  'ec2:RevokeSecurityGroupIngress': [['ec2:RevokeSecurityGroupIngress', 'ec2Own']],
  'ec2:DeleteSecurityGroup': [['ec2:DeleteSecurityGroup', 'ec2Own']],
  'ec2:CreateTags': [['ec2:CreateTags', 'ec2Own']],
  'ec2:CreateLaunchTemplate': [
    ['ec2:CreateLaunchTemplate', 'ec2New'],
    ['ec2:CreateTags', 'ec2TagOnCreate'],
  ],
  'ec2:CreateLaunchTemplateVersion': [['ec2:CreateLaunchTemplateVersion', 'ec2Own']],
  'ec2:ModifyLaunchTemplate': [['ec2:ModifyLaunchTemplate', 'ec2Own']],
  'ec2:DeleteLaunchTemplate': [['ec2:DeleteLaunchTemplate', 'ec2Own']],
  'ec2:AllocateAddress': [
    ['ec2:AllocateAddress', 'ec2New'],
    ['ec2:CreateTags', 'ec2TagOnCreate'],
  ],
  'ec2:AssociateAddress': [
    ['ec2:AssociateAddress', 'ec2Own'],
    ['ec2:AssociateAddress', 'networkInterfaces'],
  ],
  'ec2:DisassociateAddress': [
    ['ec2:DisassociateAddress', 'ec2Own'],
    ['ec2:DisassociateAddress', 'networkInterfaces'],
  ],
  'ec2:ReleaseAddress': [['ec2:ReleaseAddress', 'ec2Own']],

  // IAM: the instances' role and instance profile (backend.sessionManager)
  'iam:GetRole': [['iam:GetRole', 'instanceRole']],
  'iam:ListRoleTags': [['iam:ListRoleTags', 'instanceRole']],
  'iam:ListAttachedRolePolicies': [['iam:ListAttachedRolePolicies', 'instanceRole']],
  'iam:ListRolePolicies': [['iam:ListRolePolicies', 'instanceRole']],
  'iam:GetInstanceProfile': [['iam:GetInstanceProfile', 'instanceRole']],
  'iam:ListInstanceProfileTags': [['iam:ListInstanceProfileTags', 'instanceRole']],
  'iam:CreateRole': [
    ['iam:CreateRole', 'instanceRole'],
    ['iam:TagRole', 'instanceRole'],
  ],
  'iam:TagRole': [['iam:TagRole', 'instanceRole']],
  'iam:UpdateAssumeRolePolicy': [['iam:UpdateAssumeRolePolicy', 'instanceRole']],
  'iam:AttachRolePolicy': [['iam:AttachRolePolicy', 'instanceRoleGuarded']],
  // Destroy takes every policy off the role, also one attached by hand: IAM deletes no role that has any.
  'iam:DetachRolePolicy': [['iam:DetachRolePolicy', 'instanceRole']],
  'iam:DeleteRolePolicy': [['iam:DeleteRolePolicy', 'instanceRole']],
  'iam:DeleteRole': [['iam:DeleteRole', 'instanceRole']],
  'iam:CreateInstanceProfile': [
    ['iam:CreateInstanceProfile', 'instanceRole'],
    ['iam:TagInstanceProfile', 'instanceRole'],
  ],
  'iam:TagInstanceProfile': [['iam:TagInstanceProfile', 'instanceRole']],
  'iam:AddRoleToInstanceProfile': [
    ['iam:AddRoleToInstanceProfile', 'instanceRole'],
    ['iam:PassRole', 'instanceRoleGuarded'],
  ],
  'iam:RemoveRoleFromInstanceProfile': [['iam:RemoveRoleFromInstanceProfile', 'instanceRole']],
  'iam:DeleteInstanceProfile': [['iam:DeleteInstanceProfile', 'instanceRole']],

  // Elastic Load Balancing v2
  'elasticloadbalancingv2:DescribeLoadBalancers': [
    ['elasticloadbalancing:DescribeLoadBalancers', 'anywhere'],
  ],
  'elasticloadbalancingv2:DescribeTargetGroups': [['elasticloadbalancing:DescribeTargetGroups', 'anywhere']],
  'elasticloadbalancingv2:DescribeListeners': [['elasticloadbalancing:DescribeListeners', 'anywhere']],
  'elasticloadbalancingv2:DescribeRules': [['elasticloadbalancing:DescribeRules', 'anywhere']],
  'elasticloadbalancingv2:DescribeTags': [['elasticloadbalancing:DescribeTags', 'anywhere']],
  'elasticloadbalancingv2:DescribeTargetHealth': [['elasticloadbalancing:DescribeTargetHealth', 'anywhere']],
  'elasticloadbalancingv2:CreateLoadBalancer': [
    ['elasticloadbalancing:CreateLoadBalancer', 'loadBalancing'],
    ['elasticloadbalancing:AddTags', 'loadBalancing'],
    ['iam:CreateServiceLinkedRole', 'serviceLinkedRoles'],
  ],
  'elasticloadbalancingv2:CreateTargetGroup': [
    ['elasticloadbalancing:CreateTargetGroup', 'loadBalancing'],
    ['elasticloadbalancing:AddTags', 'loadBalancing'],
  ],
  'elasticloadbalancingv2:CreateListener': [
    ['elasticloadbalancing:CreateListener', 'loadBalancing'],
    ['elasticloadbalancing:AddTags', 'loadBalancing'],
  ],
  'elasticloadbalancingv2:CreateRule': [
    ['elasticloadbalancing:CreateRule', 'loadBalancing'],
    ['elasticloadbalancing:AddTags', 'loadBalancing'],
  ],
  'elasticloadbalancingv2:AddTags': [['elasticloadbalancing:AddTags', 'loadBalancing']],
  'elasticloadbalancingv2:ModifyListener': [['elasticloadbalancing:ModifyListener', 'loadBalancing']],
  'elasticloadbalancingv2:ModifyRule': [['elasticloadbalancing:ModifyRule', 'loadBalancing']],
  'elasticloadbalancingv2:ModifyTargetGroup': [['elasticloadbalancing:ModifyTargetGroup', 'loadBalancing']],
  'elasticloadbalancingv2:SetSubnets': [['elasticloadbalancing:SetSubnets', 'loadBalancing']],
  'elasticloadbalancingv2:SetSecurityGroups': [['elasticloadbalancing:SetSecurityGroups', 'loadBalancing']],
  'elasticloadbalancingv2:SetIpAddressType': [['elasticloadbalancing:SetIpAddressType', 'loadBalancing']],
  'elasticloadbalancingv2:DeleteRule': [['elasticloadbalancing:DeleteRule', 'loadBalancing']],
  'elasticloadbalancingv2:DeleteListener': [['elasticloadbalancing:DeleteListener', 'loadBalancing']],
  'elasticloadbalancingv2:DeleteLoadBalancer': [['elasticloadbalancing:DeleteLoadBalancer', 'loadBalancing']],
  'elasticloadbalancingv2:DeleteTargetGroup': [['elasticloadbalancing:DeleteTargetGroup', 'loadBalancing']],

  // Auto Scaling
  'autoscaling:DescribeAutoScalingGroups': [['autoscaling:DescribeAutoScalingGroups', 'anywhere']],
  'autoscaling:DescribePolicies': [['autoscaling:DescribePolicies', 'anywhere']],
  'autoscaling:DescribeInstanceRefreshes': [['autoscaling:DescribeInstanceRefreshes', 'anywhere']],
  'autoscaling:CreateAutoScalingGroup': [
    ['autoscaling:CreateAutoScalingGroup', 'autoScalingGroup'],
    ['autoscaling:CreateOrUpdateTags', 'autoScalingGroup'],
    ['iam:CreateServiceLinkedRole', 'serviceLinkedRoles'],
    ...LAUNCH,
  ],
  'autoscaling:UpdateAutoScalingGroup': [
    ['autoscaling:UpdateAutoScalingGroup', 'autoScalingGroup'],
    ...LAUNCH,
  ],
  'autoscaling:StartInstanceRefresh': [['autoscaling:StartInstanceRefresh', 'autoScalingGroup'], ...LAUNCH],
  'autoscaling:CancelInstanceRefresh': [['autoscaling:CancelInstanceRefresh', 'autoScalingGroup']],
  'autoscaling:PutScalingPolicy': [['autoscaling:PutScalingPolicy', 'autoScalingGroup']],
  'autoscaling:CreateOrUpdateTags': [['autoscaling:CreateOrUpdateTags', 'autoScalingGroup']],
  'autoscaling:AttachLoadBalancerTargetGroups': [
    ['autoscaling:AttachLoadBalancerTargetGroups', 'autoScalingGroup'],
  ],
  'autoscaling:DetachLoadBalancerTargetGroups': [
    ['autoscaling:DetachLoadBalancerTargetGroups', 'autoScalingGroup'],
  ],
  'autoscaling:DeleteAutoScalingGroup': [['autoscaling:DeleteAutoScalingGroup', 'autoScalingGroup']],
};
