import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  type DescribeLaunchTemplatesCommandInput,
  DescribeLaunchTemplateVersionsCommand,
  type Image,
  type LaunchTemplate,
  ModifyLaunchTemplateCommand,
  type RequestLaunchTemplateData,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import * as z from 'zod/mini';
import { hasErrorName, isNotFound } from '../../aws/errors.js';
import {
  type Actual,
  type Change,
  fieldChange,
  isUnknown,
  knownValue,
  outputField,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
  type Unknown,
  unknown,
} from '../../engine/contract.js';
import { UserError, WorkError } from '../../errors.js';
import type { LaunchTemplateOutputs } from '../outputs.js';
import { describeByIdOrName, firstFound } from '../shared/describe-by-id-or-name.js';
import { whileProfilePropagates } from '../shared/profile-propagation.js';
import { savedState } from '../shared/saved-state.js';
import { missingTags, tagChange } from '../shared/tag-drift.js';

/** The fields tekamolo manages in every version; all of them are sent each time. */
export interface TemplateData {
  imageId: string;
  instanceType: string;
  securityGroupIds: string[] | Unknown;
  /** Base64, as EC2 stores it. */
  userData?: string;
  keyName?: string;
  /** The instance profile's ARN; '' for none (backend.sessionManager: false). */
  instanceProfile: string | Unknown;
  httpTokens: string;
  hopLimit: number;
  rootDeviceName: string;
  /** GiB: the image's own root size, so instances launch as the AMI intends. */
  rootVolumeSize: number;
  rootVolumeType: string;
  rootEncrypted: boolean;
}

export interface LaunchTemplateDesired {
  name: string;
  data: TemplateData;
  tags: Record<string, string>;
}

export interface ActualLaunchTemplate extends Actual {
  name: string;
  defaultVersion: number;
  latestVersion: number;
  /** The default version's data; a field the read left out is undefined (unknown). */
  data: Partial<TemplateData>;
  tags?: Record<string, string>;
}

const SSM_PREFIX = 'ssm:';
/** Root device of Amazon Linux and most current AMIs, used when the image cannot be read. */
const DEFAULT_ROOT_DEVICE = '/dev/xvda';
/** 2 lets containers on the instance reach IMDSv2; tokens are still required. */
const HOP_LIMIT = 2;
/** GiB, when the image does not say (Amazon Linux 2023 images use 8). */
const DEFAULT_ROOT_SIZE = 8;

async function resolveImageId(ctx: ResourceContext): Promise<string> {
  const ami = ctx.config.backend.ami;
  if (!ami.startsWith(SSM_PREFIX)) return ami;
  const name = ami.slice(SSM_PREFIX.length);
  try {
    const result = await ctx.aws.ssm().send(new GetParameterCommand({ Name: name }));
    const value = result.Parameter?.Value;
    if (!value) throw new UserError(`SSM parameter ${name} has no value`, 'check backend.ami');
    return value;
  } catch (error) {
    if (!hasErrorName(error, 'ParameterNotFound')) throw error;
    throw new UserError(
      `SSM parameter ${name} does not exist in ${ctx.config.region}`,
      'check backend.ami: an AMI id (ami-…) or ssm:<parameter name>',
    );
  }
}

interface RootDevice {
  name: string;
  size: number;
}

/** What DescribeImages told an earlier run, kept in state: an AMI id names one immutable image. */
const imageShape = z.object({ imageId: z.string(), name: z.string(), size: z.number() });

type SavedImage = z.output<typeof imageShape>;

/**
 * What the template's state entry records. The image is a cache checked on its own: a broken one is
 * read again and recorded anew, without making the id beside it untrusted.
 */
const savedShape = z.object({
  id: z.optional(z.string()),
  name: z.optional(z.string()),
  version: z.optional(z.number()),
  image: z.optional(z.unknown()),
});

function savedImage(ctx: ResourceContext, imageId: string): RootDevice | undefined {
  const saved = imageShape.safeParse(savedState(ctx, savedShape).image).data;
  if (saved?.imageId !== imageId) return undefined;
  return { name: saved.name, size: saved.size };
}

/**
 * The image's root device, read once per AMI id: an AMI's block device mappings never change, so a
 * new id (a config change or a newer image behind the SSM parameter) is the only reason to read again.
 */
async function rootDevice(ctx: ResourceContext, imageId: string): Promise<RootDevice> {
  const known = savedImage(ctx, imageId);
  if (known) return known;
  const root = await describeRootDevice(ctx, imageId);
  // Only beside a template this stack has: before create, the entry would say a template exists that
  // does not (create records it then, from the desired data).
  if (savedState(ctx, savedShape).id) await ctx.record({ image: { imageId, ...root } });
  return root;
}

function imageOf(data: TemplateData): SavedImage {
  return { imageId: data.imageId, name: data.rootDeviceName, size: data.rootVolumeSize };
}

async function describeRootDevice(ctx: ResourceContext, imageId: string): Promise<RootDevice> {
  let image: Image | undefined;
  try {
    const result = await ctx.aws.ec2().send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    image = result.Images?.[0];
  } catch (error) {
    if (!hasErrorName(error, 'InvalidAMIID.NotFound', 'InvalidAMIID.Malformed', 'InvalidAMIID.Unavailable')) {
      throw error;
    }
  }
  if (!image) {
    throw new UserError(
      `AMI ${imageId} was not found in ${ctx.config.region}`,
      'check backend.ami: AMI ids are regional; an ssm: parameter follows the latest image',
    );
  }
  const name = image.RootDeviceName ?? DEFAULT_ROOT_DEVICE;
  const mapping = image.BlockDeviceMappings?.find((m) => m.DeviceName === name);
  return { name, size: mapping?.Ebs?.VolumeSize ?? DEFAULT_ROOT_SIZE };
}

async function userData(ctx: ResourceContext): Promise<string | undefined> {
  const file = ctx.config.backend.userData;
  if (!file) return undefined;
  const path = resolve(ctx.configDir, file);
  try {
    return (await readFile(path)).toString('base64');
  } catch (error) {
    throw new UserError(`cannot read backend.userData ${path}: ${(error as Error).message}`);
  }
}

function toRequest(ctx: ResourceContext, data: TemplateData): RequestLaunchTemplateData {
  const request: RequestLaunchTemplateData = {
    ImageId: data.imageId,
    InstanceType: data.instanceType as RequestLaunchTemplateData['InstanceType'],
    SecurityGroupIds: knownValue(data.securityGroupIds, 'the instance security group'),
    MetadataOptions: {
      HttpTokens: data.httpTokens as 'required',
      HttpPutResponseHopLimit: data.hopLimit,
      HttpEndpoint: 'enabled',
    },
    BlockDeviceMappings: [
      {
        DeviceName: data.rootDeviceName,
        Ebs: {
          VolumeType: data.rootVolumeType as 'gp3',
          VolumeSize: data.rootVolumeSize,
          Encrypted: data.rootEncrypted,
          DeleteOnTermination: true,
        },
      },
    ],
    TagSpecifications: [{ ResourceType: 'volume', Tags: tagList(ctx.tags) }],
  };
  if (data.userData) request.UserData = data.userData;
  if (data.keyName) request.KeyName = data.keyName;
  const profile = knownValue(data.instanceProfile, 'the instance profile');
  if (profile) request.IamInstanceProfile = { Arn: profile };
  return request;
}

function fromResponse(data: ResponseLaunchTemplateData | undefined): Partial<TemplateData> {
  if (!data) return {};
  const root = data.BlockDeviceMappings?.[0];
  const read: Partial<TemplateData> = {
    imageId: data.ImageId,
    instanceType: data.InstanceType,
    securityGroupIds: data.SecurityGroupIds ? [...data.SecurityGroupIds].sort() : undefined,
    httpTokens: data.MetadataOptions?.HttpTokens,
    hopLimit: data.MetadataOptions?.HttpPutResponseHopLimit,
    rootDeviceName: root?.DeviceName,
    rootVolumeSize: root?.Ebs?.VolumeSize,
    rootVolumeType: root?.Ebs?.VolumeType,
    rootEncrypted: root?.Ebs?.Encrypted,
  };
  // A template is read back whole: an absent user data or key pair really is absent.
  read.userData = data.UserData ?? '';
  read.keyName = data.KeyName ?? '';
  read.instanceProfile = data.IamInstanceProfile?.Arn ?? data.IamInstanceProfile?.Name ?? '';
  return read;
}

/** EC2 ClientToken (≤ 64 ASCII): the same stack, key and data give the same token. */
export function clientToken(stack: string, key: string, data: TemplateData): string {
  return createHash('sha256')
    .update(JSON.stringify([stack, key, data]))
    .digest('hex')
    .slice(0, 64);
}

function describeTemplate(
  ctx: ResourceContext,
  request: DescribeLaunchTemplatesCommandInput,
): Promise<LaunchTemplate | undefined> {
  return firstFound(
    ctx.aws.ec2().send(new DescribeLaunchTemplatesCommand(request)),
    (r) => r.LaunchTemplates,
  );
}

async function toActual(ctx: ResourceContext, template: LaunchTemplate): Promise<ActualLaunchTemplate> {
  const id = template.LaunchTemplateId ?? '';
  const versions = await ctx.aws
    .ec2()
    .send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Default'] }));
  const actual: ActualLaunchTemplate = {
    id,
    name: template.LaunchTemplateName ?? '',
    defaultVersion: template.DefaultVersionNumber ?? 1,
    latestVersion: template.LatestVersionNumber ?? 1,
    data: fromResponse(versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData),
    tags: tagMap(template.Tags),
  };
  if (actual.tags?.[STACK_TAG] !== ctx.config.stack) {
    actual.foreign = `launch template ${actual.name} has no ${STACK_TAG}=${ctx.config.stack} tag`;
  }
  return actual;
}

function dataChanges(desired: TemplateData, actual: Partial<TemplateData>): Change[] {
  const changes: Change[] = [];
  for (const field of Object.keys(desired) as (keyof TemplateData)[]) {
    const want = desired[field];
    const have = actual[field];
    if (isUnknown(want)) {
      // A profile still to be made (plan, with the role not there yet) will be one the template lacks.
      if (field === 'instanceProfile' && have === '') changes.push(...fieldChange(field, want, have));
      continue;
    }
    const normalised = field === 'userData' || field === 'keyName' ? (want ?? '') : want;
    changes.push(...fieldChange(field, normalised, have));
  }
  return changes.map((c) => (c.field === 'userData' ? { ...c, from: '(changed)', to: '(user data)' } : c));
}

export const launchTemplate: Resource<LaunchTemplateDesired, ActualLaunchTemplate, LaunchTemplateOutputs> = {
  key: 'launchTemplate',
  title: 'Launch template',
  dependsOn: ['sg.instances', 'instanceRole'],

  async desired(ctx) {
    const imageId = await resolveImageId(ctx);
    const groupId = outputField(ctx.output('sg.instances'), 'groupId');
    const root = await rootDevice(ctx, imageId);
    const role = ctx.config.backend.sessionManager ? ctx.output('instanceRole') : undefined;
    const data: TemplateData = {
      imageId,
      instanceType: ctx.config.backend.instanceType,
      securityGroupIds: isUnknown(groupId) ? unknown : [groupId],
      instanceProfile: role ? outputField(role, 'profileArn') : '',
      httpTokens: 'required',
      hopLimit: HOP_LIMIT,
      rootDeviceName: root.name,
      rootVolumeSize: root.size,
      rootVolumeType: 'gp3',
      rootEncrypted: true,
    };
    const encoded = await userData(ctx);
    if (encoded) data.userData = encoded;
    if (ctx.config.backend.keyName) data.keyName = ctx.config.backend.keyName;
    return { name: ctx.names.launchTemplate, data, tags: ctx.tags };
  },

  async find(ctx) {
    const savedId = savedState(ctx, savedShape).id;
    const template = await describeByIdOrName(
      (request) => describeTemplate(ctx, request),
      savedId ? { LaunchTemplateIds: [savedId] } : undefined,
      { LaunchTemplateNames: [ctx.names.launchTemplate] },
    );
    return template ? toActual(ctx, template) : undefined;
  },

  ownership(ctx, actual) {
    return taggedOwnership(ctx.config, actual.tags, `launch template ${actual.name}`);
  },

  diff(desired, actual): Change[] {
    // Every change is a new version of the same template; the Auto Scaling group then rolls it out.
    return [
      ...dataChanges(desired.data, actual.data).map((c) => ({
        ...c,
        reason: 'new template version, rolled out by an instance refresh',
      })),
      ...tagChange(desired.tags, actual.tags),
    ];
  },

  async create(ctx, desired) {
    let template: LaunchTemplate | undefined;
    try {
      const created = await whileProfilePropagates(ctx, () =>
        ctx.aws.ec2().send(
          new CreateLaunchTemplateCommand({
            LaunchTemplateName: desired.name,
            ClientToken: clientToken(ctx.config.stack, 'launchTemplate', desired.data),
            LaunchTemplateData: toRequest(ctx, desired.data),
            TagSpecifications: [{ ResourceType: 'launch-template', Tags: tagList(ctx.tags) }],
          }),
        ),
      );
      template = created.LaunchTemplate;
    } catch (error) {
      // The name is unique per region: after a crash between create and record, the template is ours
      // when it carries our tag, and the next diff brings its data up to date.
      if (!hasErrorName(error, 'InvalidLaunchTemplateName.AlreadyExistsException')) throw error;
      const existing = await describeTemplate(ctx, { LaunchTemplateNames: [desired.name] });
      if (!existing) throw error;
      if (tagMap(existing.Tags)[STACK_TAG] !== ctx.config.stack) {
        throw new UserError(
          `a launch template named ${desired.name} exists and is not this stack's`,
          'delete or rename it, or choose another stack name',
        );
      }
      template = existing;
    }
    const id = template?.LaunchTemplateId;
    if (!id) throw new WorkError('CreateLaunchTemplate returned no template');
    const version = template?.DefaultVersionNumber ?? 1;
    await ctx.record({ id, name: desired.name, version, image: imageOf(desired.data) });
    return {
      id,
      name: desired.name,
      defaultVersion: version,
      latestVersion: version,
      data: desired.data,
      tags: { ...desired.tags },
    };
  },

  async update(ctx, desired, actual, changes) {
    const ec2 = ctx.aws.ec2();
    const tags = missingTags(desired.tags, actual.tags);
    if (Object.keys(tags).length > 0) {
      await ec2.send(new CreateTagsCommand({ Resources: [actual.id], Tags: tagList(tags) }));
    }
    if (changes.every((c) => c.field === 'tags')) return { ...actual, tags: { ...actual.tags, ...tags } };
    // The full data every time: a version built from SourceVersion plus a delta would silently keep
    // fields tekamolo means to remove (and some implementations ignore SourceVersion).
    const created = await whileProfilePropagates(ctx, () =>
      ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: actual.id,
          ClientToken: clientToken(ctx.config.stack, `launchTemplate:${actual.id}`, desired.data),
          LaunchTemplateData: toRequest(ctx, desired.data),
          VersionDescription: 'tekamolo',
        }),
      ),
    );
    const version = created.LaunchTemplateVersion?.VersionNumber;
    if (!version) throw new WorkError('CreateLaunchTemplateVersion returned no version number');
    await ec2.send(
      new ModifyLaunchTemplateCommand({ LaunchTemplateId: actual.id, DefaultVersion: String(version) }),
    );
    await ctx.record({ version, image: imageOf(desired.data) });
    ctx.progress(`version ${version} is now the default`);
    return {
      ...actual,
      defaultVersion: version,
      latestVersion: Math.max(version, actual.latestVersion),
      data: desired.data,
      tags: { ...actual.tags, ...tags },
    };
  },

  async delete(ctx, actual) {
    if (actual.foreign) return;
    try {
      await ctx.aws.ec2().send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: actual.id }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },

  outputs(actual) {
    return { id: actual.id, name: actual.name, version: actual.defaultVersion };
  },

  outputsChangedBy(changes) {
    return changes.some((c) => c.field !== 'tags') ? ['version'] : [];
  },

  describe(_ctx, actual) {
    const d = actual.data;
    return `${actual.name} v${actual.defaultVersion}: ${d.imageId ?? '?'} ${d.instanceType ?? '?'}, IMDSv2 ${d.httpTokens ?? '?'}`;
  },
};
