import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseInstance,
  commandLine,
  onPath,
  startSessionArgs,
} from '../../../../src/cli/connect/session-command.js';

const MEMBERS = [
  { id: 'i-pending', lifecycle: 'Pending' },
  { id: 'i-a', lifecycle: 'InService' },
  { id: 'i-b', lifecycle: 'InService' },
];

describe('connect: which instance, which command', () => {
  it('takes the first InService instance, or the one named when it is an InService member', () => {
    expect(chooseInstance(MEMBERS, 'demo-backend')).toBe('i-a');
    expect(chooseInstance(MEMBERS, 'demo-backend', 'i-b')).toBe('i-b');
  });

  it('refuses an instance outside the group or not InService, naming the ones it could use', () => {
    expect(() => chooseInstance(MEMBERS, 'demo-backend', 'i-pending')).toThrow(
      expect.objectContaining({
        name: 'UserError',
        message: 'instance i-pending is not an InService instance of Auto Scaling group demo-backend',
        hint: 'choose one of: i-a, i-b',
      }),
    );
    expect(() => chooseInstance([], 'demo-backend')).toThrow('demo-backend has no InService instance');
  });

  it('builds aws ssm start-session with the region and, when one is used, the profile', () => {
    expect(commandLine(startSessionArgs('i-a', 'eu-central-1', null))).toBe(
      'aws ssm start-session --target i-a --region eu-central-1',
    );
    expect(startSessionArgs('i-a', 'eu-central-1', 'ops').slice(-2)).toEqual(['--profile', 'ops']);
  });

  it.skipIf(process.platform === 'win32')('finds an executable on PATH, not a plain file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tekamolo-path-'));
    await writeFile(join(dir, 'session-manager-plugin'), '#!/bin/sh\n');
    expect(onPath('session-manager-plugin', dir)).toBe(false);
    await chmod(join(dir, 'session-manager-plugin'), 0o755);
    expect(onPath('session-manager-plugin', dir)).toBe(true);
    expect(onPath('aws', dir)).toBe(false);
  });
});
