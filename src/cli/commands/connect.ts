import { spawn } from 'node:child_process';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { ExitCode } from '../../errors.js';
import { JSON_VERSION } from '../../output/message.js';
import { chooseInstance, commandLine, onPath, startSessionArgs } from '../connect/session-command.js';
import type { CommandRunner, ConnectOptions } from '../options.js';
import { openSession } from '../session.js';

/**
 * `tekamolo connect [instance]`: a Session Manager shell on one InService instance of the stack's
 * group, through the AWS CLI and its session-manager-plugin; without them, the exact command to run.
 * No SSH key and no open port: the instance profile lets the SSM agent reach Systems Manager. With
 * `--json`, the command as a document and nothing started: JSON on stdout cannot drive a shell.
 */
export const run: CommandRunner<ConnectOptions> = async (globals, options, tracer) => {
  const session = await openSession(globals, { command: 'connect', tracer, lock: false, readOnly: true });
  let args: string[];
  let instance: string;
  try {
    const group = session.loaded.names.autoScalingGroup;
    const found = await session.aws
      .autoscaling()
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    const members = (found.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => ({
      id: i.InstanceId ?? '',
      lifecycle: i.LifecycleState ?? 'unknown',
    }));
    instance = chooseInstance(members, group, options.instance);
    args = startSessionArgs(instance, session.scope.region, session.scope.profile);
  } finally {
    await session.close();
  }
  if (globals.json) {
    const awsCalls = session.tracer.calls();
    const document = {
      version: JSON_VERSION,
      command: 'connect',
      ok: true,
      instance,
      region: session.scope.region,
      argv: ['aws', ...args],
      awsCalls,
    };
    globals.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (!onPath('aws') || !onPath('session-manager-plugin')) {
    globals.io.stdout.write(`${commandLine(args)}\n`);
    globals.io.stderr.write(
      'the AWS CLI and its Session Manager plugin are needed for this command: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html\n',
    );
    return ExitCode.ok;
  }
  globals.io.stderr.write(`${commandLine(args)}\n`);
  // Ctrl-C belongs to the remote shell while it runs: the plugin forwards it.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn('aws', args, { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code) => resolve(code ?? ExitCode.failure));
    });
  } finally {
    process.off('SIGINT', ignore);
  }
};
