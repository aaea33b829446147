import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAddressesCommand, DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Aws } from './clients.js';

/** One resource that carries a tag, whatever its service. */
export interface TaggedResource {
  /** `service:resource-type` as in its ARN: `elasticloadbalancing:targetgroup`, `ec2:security-group`. */
  type: string;
  /** The id the service itself uses: the ARN for ELB and ACM, else the ARN's last part (sg-…, E2…, lt-…). */
  id: string;
  region: string;
  tags: Record<string, string>;
}

export interface TagFilter {
  key: string;
  value: string;
}

/** GetResources pages hold at most 100; this many pages is far beyond one stack. */
const MAX_PAGES = 50;

/** Services whose APIs take the ARN as the id; the others take the ARN's last part. */
const ARN_IS_ID = new Set(['elasticloadbalancing', 'acm']);

/**
 * `arn:aws:ec2:eu-central-1:123456789012:security-group/sg-1` → type `ec2:security-group`, id `sg-1`.
 * An Auto Scaling group's ARN (`autoScalingGroup:<uuid>:autoScalingGroupName/<name>`) gives its name.
 */
export function parseArn(arn: string): { type: string; id: string } | undefined {
  const parts = arn.split(':');
  const service = parts[2];
  if (parts[0] !== 'arn' || !service || parts.length < 6) return undefined;
  const resource = parts.slice(5).join(':');
  const end = resource.search(/[/:]/);
  const type = `${service}:${end < 0 ? '' : resource.slice(0, end)}`;
  return { type, id: ARN_IS_ID.has(service) ? arn : (resource.split('/').at(-1) ?? resource) };
}

function tagsOf(list: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
  return tags;
}

async function fromTaggingApi(aws: Aws, region: string, tag: TagFilter): Promise<TaggedResource[]> {
  const found: TaggedResource[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await aws.tagging(region).send(
      new GetResourcesCommand({
        TagFilters: [{ Key: tag.key, Values: [tag.value] }],
        PaginationToken: token,
      }),
    );
    for (const mapping of result.ResourceTagMappingList ?? []) {
      const parsed = mapping.ResourceARN ? parseArn(mapping.ResourceARN) : undefined;
      if (parsed) found.push({ ...parsed, region, tags: tagsOf(mapping.Tags) });
    }
    token = result.PaginationToken || undefined;
    if (!token) break;
  }
  return found;
}

/**
 * The kinds the Tagging API may leave out (it does for launch templates, Elastic IPs and Auto Scaling
 * groups on some endpoints), read with their own tag filters: one call each.
 */
async function fromServiceFilters(aws: Aws, region: string, tag: TagFilter): Promise<TaggedResource[]> {
  const filters = [{ Name: `tag:${tag.key}`, Values: [tag.value] }];
  const [templates, addresses, groups] = await Promise.all([
    aws.ec2(region).send(new DescribeLaunchTemplatesCommand({ Filters: filters })),
    aws.ec2(region).send(new DescribeAddressesCommand({ Filters: filters })),
    aws.autoscaling(region).send(
      new DescribeAutoScalingGroupsCommand({
        Filters: [
          { Name: 'tag-key', Values: [tag.key] },
          { Name: 'tag-value', Values: [tag.value] },
        ],
      }),
    ),
  ]);
  const found: TaggedResource[] = [];
  for (const t of templates.LaunchTemplates ?? []) {
    if (t.LaunchTemplateId)
      found.push({ type: 'ec2:launch-template', id: t.LaunchTemplateId, region, tags: tagsOf(t.Tags) });
  }
  for (const a of addresses.Addresses ?? []) {
    if (a.AllocationId)
      found.push({ type: 'ec2:elastic-ip', id: a.AllocationId, region, tags: tagsOf(a.Tags) });
  }
  for (const g of groups.AutoScalingGroups ?? []) {
    const tags = tagsOf(g.Tags);
    // tag-key and tag-value filter each on any tag: both on the same one is checked here.
    if (g.AutoScalingGroupName && tags[tag.key] === tag.value)
      found.push({ type: 'autoscaling:autoScalingGroup', id: g.AutoScalingGroupName, region, tags });
  }
  return found;
}

/**
 * Everything that carries the tag in these regions: one paged GetResources per region, plus the
 * service reads for the kinds it may leave out in the first region (the stack's, where they live).
 * A resource both return is listed once.
 */
export async function readTagged(aws: Aws, regions: string[], tag: TagFilter): Promise<TaggedResource[]> {
  const [first, ...others] = [...new Set(regions)];
  if (!first) return [];
  const reads = await Promise.all([
    fromTaggingApi(aws, first, tag),
    fromServiceFilters(aws, first, tag),
    ...others.map((region) => fromTaggingApi(aws, region, tag)),
  ]);
  const byId = new Map<string, TaggedResource>();
  for (const r of reads.flat()) byId.set(`${r.region} ${r.type} ${r.id}`, r);
  return [...byId.values()];
}
