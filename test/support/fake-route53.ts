import type { Route53Client } from '@aws-sdk/client-route-53';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * A hosted zone held in memory behind a mocked Route53Client: ListResourceRecordSets answers from it
 * in Route 53's order (by name with its labels reversed, then type), page by page, and
 * ChangeResourceRecordSets applies UPSERT/DELETE (DELETE of a record that is not there fails as
 * Route 53 does).
 */
export interface FakeZone {
  sets: ResourceRecordSet[];
  batches: Change[][];
}

const key = (set: ResourceRecordSet) => `${(set.Name ?? '').replace(/\.$/, '')}|${set.Type}`;

/** Route 53 lists by name with the labels reversed (com.example.www.), as ASCII, then by type. */
const byLabels = (name: string) => `${name.replace(/\.$/, '').toLowerCase().split('.').reverse().join('.')}.`;
const ascii = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function fakeZone(mock: AwsClientStub<Route53Client>, initial: ResourceRecordSet[] = []): FakeZone {
  const zone: FakeZone = { sets: initial.map((s) => ({ ...s, Name: withDot(s.Name ?? '') })), batches: [] };
  mock
    .on(ListResourceRecordSetsCommand)
    .callsFake((input: { StartRecordName?: string; StartRecordType?: string; MaxItems?: number }) => {
      const sorted = [...zone.sets].sort(
        (a, b) => ascii(byLabels(a.Name ?? ''), byLabels(b.Name ?? '')) || ascii(a.Type ?? '', b.Type ?? ''),
      );
      const start = input.StartRecordName ? byLabels(input.StartRecordName) : '';
      const from = sorted.filter((s) => {
        const order = ascii(byLabels(s.Name ?? ''), start);
        return order > 0 || (order === 0 && ascii(s.Type ?? '', input.StartRecordType ?? '') >= 0);
      });
      const max = input.MaxItems ?? 300;
      const next = from[max];
      return {
        ResourceRecordSets: from.slice(0, max),
        IsTruncated: next !== undefined,
        ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type } : {}),
        MaxItems: max,
      };
    });
  mock.on(ChangeResourceRecordSetsCommand).callsFake((input: ChangeResourceRecordSetsCommandInput) => {
    const changes = input.ChangeBatch?.Changes ?? [];
    const next = [...zone.sets];
    for (const change of changes) {
      const set = {
        ...change.ResourceRecordSet,
        Name: withDot(change.ResourceRecordSet?.Name ?? ''),
      } as ResourceRecordSet;
      const at = next.findIndex((s) => key(s) === key(set));
      if (change.Action === 'DELETE') {
        if (at < 0) {
          throw Object.assign(
            new Error(
              `Tried to delete resource record set [name='${set.Name}', type='${set.Type}'] but it was not found`,
            ),
            {
              name: 'InvalidChangeBatch',
            },
          );
        }
        next.splice(at, 1);
      } else if (at >= 0) next[at] = set;
      else next.push(set);
    }
    zone.sets = next;
    zone.batches.push(changes);
    return {
      ChangeInfo: { Id: `/change/C${zone.batches.length}`, Status: 'PENDING', SubmittedAt: new Date() },
    };
  });
  return zone;
}

function withDot(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

export function throttling(message = 'Rate exceeded'): Error {
  return Object.assign(new Error(message), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
}

export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
