import { resolve } from 'node:path';
import {
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandInput,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { ExitCode, UserError, WorkError } from '../../errors.js';
import { checkAccountPin } from '../../state/account-pin.js';
import { StateStore } from '../../state/store.js';
import { type RemotePlace, remotePlace } from '../open-state.js';
import type { CommandRunner } from '../options.js';
import { openSession, type Session } from '../session.js';

export interface StatePushOptions {
  file?: string;
}

export interface StatePullOptions {
  /** `--show-secrets`: the state as stored, secrets included (to move it back to a local file). */
  showSecrets?: boolean;
}

/** State fields that hold a secret: the value CloudFront's origin header carries, which the ALB checks. */
const SECRET_FIELDS = new Set(['originSecret']);
const REDACTED = '(secret: `state pull --show-secrets` prints it)';

/** The state as JSON text, every secret field replaced unless asked for (a terminal or a CI log shows it). */
export function stateText(snapshot: unknown, showSecrets: boolean): string {
  const hide = (field: string, value: unknown) =>
    !showSecrets && SECRET_FIELDS.has(field) && typeof value === 'string' ? REDACTED : value;
  return `${JSON.stringify(snapshot, hide, 2)}\n`;
}

/** What every state command's document carries besides its own fields (docs/json.md). */
function documentOf(session: Session, command: string, fields: Record<string, unknown>) {
  return { command, ok: true, ...fields, awsCalls: session.tracer.calls() };
}

function requireRemote(session: Session, what: string): RemotePlace {
  const place = remotePlace(session.loaded, session.aws);
  if (!place) {
    throw new UserError(
      `${what} needs state.bucket in the config: this config keeps its state in the file ${session.store.location}`,
      'set state.bucket (README: team use); nothing was changed',
    );
  }
  return place;
}

/**
 * `tekamolo state pull`: the current state on stdout, wherever it is kept; secrets only with
 * `--show-secrets`. Without --json stdout is the state file itself (`state push` takes it back);
 * with --json it is the `state` field of the command's document.
 */
export const pull: CommandRunner<StatePullOptions> = async (globals, options, tracer) => {
  const session = await openSession(globals, { command: 'state pull', tracer, lock: false, readOnly: true });
  try {
    if (!session.store.exists) {
      throw new WorkError(`there is no state at ${session.store.location}`, 'run `tekamolo up` first');
    }
    const text = stateText(session.store.snapshot(), options.showSecrets === true);
    const document = documentOf(session, 'state pull', {
      location: session.store.location,
      state: JSON.parse(text) as unknown,
    });
    session.renderer.result({ text, document });
    return ExitCode.ok;
  } finally {
    await session.close();
  }
};

/**
 * `tekamolo state push [file]`: move a local state file (default: state.path) into state.bucket,
 * under the lock. A different state already there is never overwritten.
 */
export const push: CommandRunner<StatePushOptions> = async (globals, options, tracer) => {
  const session = await openSession(globals, {
    command: 'state push',
    tracer,
    lock: true,
    createStateBucket: true,
  });
  try {
    requireRemote(session, 'state push');
    const source = options.file ? resolve(options.file) : session.store.path;
    const local = await StateStore.open({ path: source, stack: session.loaded.config.stack });
    if (!local.exists) {
      throw new UserError(
        `there is no state file at ${source}; nothing was changed`,
        'name the file to push',
      );
    }
    const { account, partition, profile } = session.scope;
    checkAccountPin(source, local.account, { id: account, partition }, profile);
    const target = session.store.location;
    const pushed = (done: boolean, text: string) => {
      session.renderer.result({
        text,
        document: documentOf(session, 'state push', { from: source, to: target, pushed: done }),
      });
      return ExitCode.ok;
    };
    if (session.store.exists) {
      if (sameState(session.store.snapshot(), local.snapshot())) {
        return pushed(false, `${target} already holds this state: nothing to push\n`);
      }
      throw new UserError(
        `${target} already holds a different state of stack ${session.store.stack}; it was not overwritten`,
        '`tekamolo state pull` shows it; keep the one that is right',
      );
    }
    session.store.replaceWith(local.snapshot());
    await session.store.save();
    return pushed(
      true,
      `pushed ${source} to ${target}; the local file is no longer used and can be removed\n`,
    );
  } finally {
    await session.close();
  }
};

function sameState(a: ReturnType<StateStore['snapshot']>, b: ReturnType<StateStore['snapshot']>): boolean {
  const meaning = (s: typeof a) => JSON.stringify({ ...s, updatedAt: '' });
  return meaning(a) === meaning(b);
}

interface HistoryEntry {
  time: string;
  versionId: string;
  latest: boolean;
  deleted: boolean;
  command?: string;
  by?: string;
}

/** `tekamolo state history`: every version of the state in its bucket, newest first. */
export const history: CommandRunner<Record<string, never>> = async (globals, _options, tracer) => {
  const session = await openSession(globals, {
    command: 'state history',
    tracer,
    lock: false,
    readOnly: true,
  });
  try {
    const place = requireRemote(session, 'state history');
    const versions = await listHistory(place);
    session.renderer.result({
      text: historyText(versions),
      document: documentOf(session, 'state history', { location: session.store.location, versions }),
    });
    return ExitCode.ok;
  } finally {
    await session.close();
  }
};

async function listHistory({ s3, bucket, key }: RemotePlace): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  const page: ListObjectVersionsCommandInput = { Bucket: bucket, Prefix: key };
  for (;;) {
    const answer = await s3.send(new ListObjectVersionsCommand(page));
    for (const v of answer.Versions ?? []) {
      if (v.Key === key) entries.push(entry(v.LastModified, v.VersionId, v.IsLatest, false));
    }
    for (const m of answer.DeleteMarkers ?? []) {
      if (m.Key === key) entries.push(entry(m.LastModified, m.VersionId, m.IsLatest, true));
    }
    if (!answer.IsTruncated) break;
    page.KeyMarker = answer.NextKeyMarker;
    page.VersionIdMarker = answer.NextVersionIdMarker;
  }
  // Who wrote each version and with which command is in its metadata, one HEAD per version.
  const limit = pLimit(8);
  await Promise.all(
    entries
      .filter((e) => !e.deleted)
      .map((e) =>
        limit(async () => {
          const head = await s3.send(
            new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: e.versionId }),
          );
          if (head.Metadata?.command) e.command = head.Metadata.command;
          if (head.Metadata?.by) e.by = head.Metadata.by;
        }),
      ),
  );
  return entries.sort((a, b) => b.time.localeCompare(a.time) || Number(b.latest) - Number(a.latest));
}

function entry(time: Date | undefined, versionId = 'null', latest = false, deleted = false): HistoryEntry {
  return { time: time?.toISOString() ?? '', versionId, latest, deleted };
}

function historyText(entries: HistoryEntry[]): string {
  if (entries.length === 0) return 'no versions: the state was never written\n';
  return entries
    .map((e) => {
      const what = e.deleted ? 'deleted' : `${e.command ?? '?'} by ${e.by ?? '?'}`;
      return `${e.time}  ${what}  version ${e.versionId}${e.latest ? '  (current)' : ''}\n`;
    })
    .join('');
}
