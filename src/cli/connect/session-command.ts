import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UserError } from '../../errors.js';

/** An instance of the group as `connect` chooses among them. */
export interface GroupMember {
  id: string;
  lifecycle: string;
}

/**
 * The instance to open a shell on: the one named (it must be an InService member of the group, so
 * that `connect` never reaches a machine of another stack), else the first InService one.
 */
export function chooseInstance(members: GroupMember[], group: string, wanted?: string): string {
  const inService = members.filter((m) => m.lifecycle === 'InService').map((m) => m.id);
  if (wanted) {
    if (inService.includes(wanted)) return wanted;
    throw new UserError(
      `instance ${wanted} is not an InService instance of Auto Scaling group ${group}`,
      inService.length > 0
        ? `choose one of: ${inService.join(', ')}`
        : 'run `tekamolo status` to see the instances',
    );
  }
  const first = inService[0];
  if (!first) {
    throw new UserError(
      `Auto Scaling group ${group} has no InService instance`,
      'run `tekamolo up`, then `tekamolo status` to see when instances are InService',
    );
  }
  return first;
}

/** `aws ssm start-session` for the instance, with the run's region and profile. */
export function startSessionArgs(instanceId: string, region: string, profile: string | null): string[] {
  const args = ['ssm', 'start-session', '--target', instanceId, '--region', region];
  if (profile) args.push('--profile', profile);
  return args;
}

/** The command as a person types it (arguments are ids, names and regions: no quoting needed). */
export function commandLine(args: string[]): string {
  return ['aws', ...args].join(' ');
}

/** Whether an executable of that name is on PATH (PATHEXT on Windows). */
export function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      try {
        accessSync(join(dir, `${name}${ext}`), constants.X_OK);
        return true;
      } catch {
        // not in this folder
      }
    }
  }
  return false;
}
