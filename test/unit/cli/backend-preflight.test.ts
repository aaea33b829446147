import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeKeyPairsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { isReadOnlyOperation, Tracer } from '../../../src/aws/trace.js';
import { backendPreflight } from '../../../src/cli/backend-preflight.js';
import { loadConfig } from '../../../src/config/load.js';
import { ExitCode, UserError } from '../../../src/errors.js';

const CONFIG = [
  'stack: demo',
  'region: eu-central-1',
  'domain: example.com',
  'backend:',
  '  ami: ami-0123456789abcdef0',
  '  keyName: ops',
  'stages:',
  '  staging:',
  '    backend:',
  '      keyName: staging-ops',
  '',
].join('\n');

/** What `up` runs before its first change: each problem at its line in the file, exit 2, reads only. */
describe('backendPreflight', () => {
  const ec2 = mockClient(EC2Client);
  let dir: string;
  let file: string;

  beforeEach(async () => {
    ec2.reset();
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-backend-preflight-'));
    file = join(dir, 'tekamolo.yaml');
    await writeFile(file, CONFIG);
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: ['a', 'b'].map((z) => ({
        SubnetId: `subnet-${z}`,
        VpcId: 'vpc-1',
        AvailabilityZone: `eu-central-1${z}`,
        MapPublicIpOnLaunch: true,
      })),
    });
    ec2
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'InvalidAMIID.NotFound' }));
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [{ Location: 'eu-central-1a' }, { Location: 'eu-central-1b' }],
    });
    ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [] });
  });
  afterEach(async () => {
    ec2.reset();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(stage?: string) {
    const loaded = await loadConfig(file, stage);
    const aws = new Aws({ region: 'eu-central-1', tracer: new Tracer(), maxAttempts: 1 });
    return backendPreflight(aws, loaded).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('names every field at its line and column with what to do; exit 2 after reads only', async () => {
    const error = await run();
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ exitCode: ExitCode.badInput });
    // Outside the working folder, the file is named by its absolute path.
    const lines = (error as UserError).message.split('\n');
    expect(lines[0]).toBe('the backend config does not match what eu-central-1 has:');
    expect(lines[1]).toContain(`  ${file}:5:8  backend.ami: AMI ami-0123456789abcdef0 was not found`);
    expect(lines[2]).toContain(`  ${file}:6:12  backend.keyName: key pair ops does not exist`);
    expect((error as UserError).hint).toContain('nothing was changed');
    const operations = ec2.calls().map((c) => c.args[0].constructor.name.replace(/Command$/, ''));
    expect(operations.filter((op) => !isReadOnlyOperation(op))).toEqual([]);
  });

  it('a field the selected stage overrides is named at its place in the stage', async () => {
    const error = (await run('staging')) as UserError;
    expect(error.message).toContain(':10:16  stages.staging.backend.keyName: key pair staging-ops does not');
  });

  it('nothing wrong: the subnets are handed back for the cost estimate', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-0123456789abcdef0' }] });
    ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [{ KeyName: 'ops' }] });
    const loaded = await loadConfig(file);
    const aws = new Aws({ region: 'eu-central-1', tracer: new Tracer(), maxAttempts: 1 });
    expect(await backendPreflight(aws, loaded)).toEqual({
      zones: ['eu-central-1a', 'eu-central-1b'],
      publicIpOnLaunch: true,
    });
  });
});
