import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as connect } from '../../../../src/cli/commands/connect.js';
import { ExitCode } from '../../../../src/errors.js';
import { connectDocument } from '../../../../src/output/json-schema.js';
import { runCommand } from '../../../support/command.js';
import { expectDocument } from '../../../support/json-contract.js';

/** `tekamolo connect --json` in this process: the session's command as a document, nothing started. */
describe('connect --json', () => {
  const autoscaling = mockClient(AutoScalingClient);
  const sts = mockClient(STSClient);
  let dir: string;
  let config: string;

  beforeEach(async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ci' });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          Instances: [
            { InstanceId: 'i-pending', LifecycleState: 'Pending' },
            { InstanceId: 'i-serving', LifecycleState: 'InService' },
          ],
        } as never,
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-connect-'));
    config = join(dir, 'tekamolo.yaml');
    await writeFile(config, ['stack: acme', 'region: eu-central-1', 'domain: example.com'].join('\n'));
  });
  afterEach(async () => {
    autoscaling.reset();
    sts.reset();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the contract document with the InService instance and the aws command, and starts nothing', async () => {
    const run = await runCommand(connect, { config, json: true }, {});
    expect(run.code, run.stderr).toBe(ExitCode.ok);
    const document = expectDocument(run.stdout, connectDocument);
    expect(document.instance).toBe('i-serving');
    expect(document.argv).toEqual([
      'aws',
      'ssm',
      'start-session',
      '--target',
      'i-serving',
      '--region',
      'eu-central-1',
    ]);
    expect(document.awsCalls.changing).toBe(0);
    expect(run.stderr).toBe('');
  });
});
