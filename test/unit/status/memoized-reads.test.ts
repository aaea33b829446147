import { CreateTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { Tracer } from '../../../src/aws/trace.js';
import { memoizedReads } from '../../../src/status/memoized-reads.js';

describe('status: a read asked twice in one reading is sent once', () => {
  let ec2: AwsClientStub<EC2Client>;
  const aws = () => new Aws({ region: 'eu-central-1', tracer: new Tracer(), maxAttempts: 1 });

  beforeEach(() => {
    ec2 = mockClient(EC2Client);
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2.on(CreateTagsCommand).resolves({});
  });
  afterEach(() => {
    ec2.reset();
    ec2.restore();
  });

  it('shares the answer of the same read with the same input, not of another input', async () => {
    const reads = memoizedReads(aws());
    const one = reads.ec2().send(new DescribeInstancesCommand({ InstanceIds: ['i-1'] }));
    const two = reads.ec2().send(new DescribeInstancesCommand({ InstanceIds: ['i-1'] }));
    await reads.ec2().send(new DescribeInstancesCommand({ InstanceIds: ['i-2'] }));
    expect(await one).toBe(await two);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([
      ['i-1'],
      ['i-2'],
    ]);
  });

  it('never shares a changing call, and a new reading asks again', async () => {
    const reads = memoizedReads(aws());
    await reads.ec2().send(new CreateTagsCommand({ Resources: ['i-1'], Tags: [] }));
    await reads.ec2().send(new CreateTagsCommand({ Resources: ['i-1'], Tags: [] }));
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(2);

    const base = aws();
    await memoizedReads(base).ec2().send(new DescribeInstancesCommand({}));
    await memoizedReads(base).ec2().send(new DescribeInstancesCommand({}));
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('shares a failure too: the reading is one snapshot', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'RequestLimitExceeded' }));
    const reads = memoizedReads(aws());
    const input = { InstanceIds: ['i-9'] };
    await expect(reads.ec2().send(new DescribeInstancesCommand(input))).rejects.toThrow('slow down');
    await expect(reads.ec2().send(new DescribeInstancesCommand(input))).rejects.toThrow('slow down');
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(reads.region).toBe('eu-central-1');
  });
});
