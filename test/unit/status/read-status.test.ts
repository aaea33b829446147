import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetAccessKeyInfoCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import type { Health, Resource } from '../../../src/engine/contract.js';
import { ExitCode } from '../../../src/errors.js';
import { statusExitCode } from '../../../src/status/exit-code.js';
import { readStatus } from '../../../src/status/read.js';
import {
  type FakeActual,
  FakeCloud,
  type FakeOptions,
  type FakeOutputs,
  fakeEnv,
  fakeResource,
} from '../../support/fake-resources.js';

type FakeHandler = Resource<Record<string, unknown>, FakeActual, FakeOutputs>;

interface Reads {
  detail?: string;
  health?: Health;
  fail?: Error;
}

/** A fake resource with the status parts a real handler has: `describe` and `health`. */
function withReads(cloud: FakeCloud, options: FakeOptions, reads: Reads = {}): FakeHandler {
  const resource = fakeResource(cloud, options);
  resource.describe = (_ctx, actual) => {
    if (reads.fail) throw reads.fail;
    return reads.detail ?? `${actual.id} described`;
  };
  resource.health = async () => reads.health ?? { state: 'ok' };
  return resource;
}

describe('status: observation + describe + health → rows', () => {
  it('maps existence, sync, ownership and health to one state per row, in graph order', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'zone', spec: { zoneId: 'Z1', nameServers: ['ns-1.example', 'ns-2.example'] } });
    const cert = cloud.seed({ name: 'certificate.cdn', spec: {} });
    cloud.seed({ name: 'autoScalingGroup', spec: { min: 2 } });
    cloud.seed({
      name: 'dnsAlias',
      spec: { target: 'd111' },
      foreign: 'record points to d111.cloudfront.net',
    });
    cloud.seed({ name: 'targetGroup', spec: {} });
    cloud.seed({ name: 'distribution', spec: {} });
    const env = await fakeEnv([
      withReads(cloud, {
        key: 'zone',
        readOnly: true,
        spec: { zoneId: 'Z1', nameServers: ['ns-1.example', 'ns-2.example'] },
      }),
      withReads(
        cloud,
        { key: 'certificate.cdn', dependsOn: ['zone'] },
        {
          detail: 'PENDING_VALIDATION, 2 validation record(s)',
          health: { state: 'pending', detail: 'waiting for DNS validation' },
        },
      ),
      withReads(cloud, { key: 'autoScalingGroup', spec: { min: 1 } }),
      withReads(cloud, { key: 'dnsAlias', spec: { target: 'ours' } }),
      withReads(
        cloud,
        { key: 'targetGroup' },
        { health: { state: 'unhealthy', detail: '0/2 healthy; i-1 unhealthy: Target.Timeout' } },
      ),
      withReads(cloud, { key: 'distribution' }, { detail: 'Deployed, d1.cloudfront.net' }),
      withReads(cloud, { key: 'bucket' }),
      withReads(cloud, { key: 'bucketPolicy', dependsOn: ['bucket'] }),
    ]);

    const report = await readStatus(env);

    expect(report.rows.map((r) => [r.key, r.state])).toEqual([
      ['zone', 'ok'],
      ['certificate.cdn', 'pending'],
      ['autoScalingGroup', 'drifted'],
      ['dnsAlias', 'foreign'],
      ['targetGroup', 'unhealthy'],
      ['distribution', 'ok'],
      ['bucket', 'missing'],
      ['bucketPolicy', 'missing'],
    ]);
    const row = (key: string) => report.rows.find((r) => r.key === key);
    expect(row('certificate.cdn')).toEqual({
      key: 'certificate.cdn',
      title: 'fake certificate.cdn',
      state: 'pending',
      id: cert.id,
      shortId: cert.id,
      detail: 'PENDING_VALIDATION, 2 validation record(s)',
      health: { state: 'pending', detail: 'waiting for DNS validation' },
      changes: [],
      reason: null,
      error: null,
      hint: null,
    });
    expect(row('autoScalingGroup')?.changes).toEqual([{ field: 'min', from: 2, to: 1, action: 'update' }]);
    expect(row('dnsAlias')?.reason).toBe('record points to d111.cloudfront.net');
    expect(row('bucketPolicy')).toMatchObject({
      id: null,
      detail: null,
      reason: 'not looked up: bucket is missing',
    });

    expect(report.summary.counts).toEqual({
      error: 0,
      missing: 2,
      foreign: 1,
      leftover: 0,
      drifted: 1,
      unhealthy: 1,
      pending: 1,
      ok: 2,
    });
    expect(report.summary.ok).toBe(false);
    expect(report.summary.urls).toEqual({
      site: ['https://example.com/', 'https://www.example.com/'],
      api: 'https://example.com/api/',
      cloudfront: null,
    });
    expect(report.summary.nextSteps).toEqual([
      `the state file ${env.store.path} is missing: these resources were found by name and tag; \`tekamolo up\` adopts them into a new state file`,
      'missing: bucket, bucketPolicy; `tekamolo up` creates them',
      'dnsAlias: record points to d111.cloudfront.net; `tekamolo up` asks before taking it over',
      'drifted from the config: autoScalingGroup (min); `tekamolo plan` shows the changes, `tekamolo up` puts them back',
      "certificate pending: the CNAMEs are in Route 53; check that the domain's NS records point at the hosted zone (ns-1.example, ns-2.example)",
      'targets fail the health check (0/2 healthy; i-1 unhealthy: Target.Timeout): check that the app answers GET /api/health on port 8080 on the instances (user data, instance logs)',
    ]);
    expect(statusExitCode(report, true)).toBe(ExitCode.differs);
    expect(statusExitCode(report, false)).toBe(ExitCode.ok);
    expect(cloud.calls.filter((c) => c.op !== 'find')).toEqual([]);
  });

  it('every row ok: exit 0 even with --exit-code, no next step', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: { v: 1 } });
    cloud.seed({ name: 'b', spec: {} });
    const env = await fakeEnv([
      withReads(cloud, { key: 'a', spec: { v: 1 } }, { health: { state: 'ok', detail: '2/2 healthy' } }),
      withReads(cloud, { key: 'b', dependsOn: ['a'] }),
    ]);
    env.store.set('a', { id: 'a-1' });
    await env.store.save();
    const report = await readStatus(env);
    expect(report.rows.map((r) => r.state)).toEqual(['ok', 'ok']);
    expect(report.summary).toMatchObject({ ok: true, nextSteps: [] });
    expect(report.stateFile.exists).toBe(true);
    expect(statusExitCode(report, true)).toBe(ExitCode.ok);
  });

  it('a failed read is an error row (exit 1); its dependents are not checked and listed once', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'b', spec: {} });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const env = await fakeEnv([
      withReads(cloud, { key: 'a', fail: { find: throttled } }),
      withReads(cloud, { key: 'c', dependsOn: ['a'] }),
      withReads(cloud, { key: 'd', dependsOn: ['c'] }),
      withReads(cloud, { key: 'b' }, { fail: new Error('ListInvalidations failed') }),
    ]);
    const report = await readStatus(env);
    expect(report.rows.map((r) => [r.key, r.state])).toEqual([
      ['a', 'error'],
      ['c', 'error'],
      ['d', 'error'],
      ['b', 'error'],
    ]);
    expect(report.rows.find((r) => r.key === 'b')?.error).toContain('ListInvalidations failed');
    expect(report.summary.nextSteps.filter((s) => s.startsWith('not checked'))).toEqual([
      'not checked until what they depend on can be read: c, d',
    ]);
    expect(statusExitCode(report, false)).toBe(ExitCode.failure);
    expect(statusExitCode(report, true)).toBe(ExitCode.failure);
  });

  it('a read-only resource that does not exist is missing, with the hint that says what to do', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([withReads(cloud, { key: 'zone', readOnly: true })]);
    const report = await readStatus(env);
    expect(report.rows[0]).toMatchObject({ key: 'zone', state: 'missing', error: null });
    expect(report.rows[0]?.reason).toBe('zone does not exist: create it first');
    expect(report.summary.nextSteps).toEqual(['zone is missing: zone does not exist: create it first']);
  });

  it('without the hosted zone, its dependents are missing too (exit 3, not 1)', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'bucket', spec: {} });
    const env = await fakeEnv([
      withReads(cloud, { key: 'zone', readOnly: true }),
      withReads(cloud, { key: 'certificate', dependsOn: ['zone'] }),
      withReads(cloud, { key: 'validation', dependsOn: ['certificate'] }),
      withReads(cloud, { key: 'bucket' }),
    ]);
    const report = await readStatus(env);
    expect(report.rows.map((r) => [r.key, r.state, r.reason, r.error])).toEqual([
      ['zone', 'missing', 'zone does not exist: create it first', null],
      ['certificate', 'missing', 'not looked up: zone is missing', null],
      ['validation', 'missing', 'not looked up: certificate is missing', null],
      ['bucket', 'ok', null, null],
    ]);
    expect(report.summary.nextSteps).toEqual([
      `the state file ${env.store.path} is missing: these resources were found by name and tag; \`tekamolo up\` adopts them into a new state file`,
      'zone is missing: zone does not exist: create it first',
      'missing: certificate, validation; once that is fixed, `tekamolo up` creates them',
    ]);
    expect(statusExitCode(report, true)).toBe(ExitCode.differs);
  });

  it('health reads start as soon as a resource is found and never hold back its dependents', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: {} });
    cloud.seed({ name: 'b', spec: {} });
    let releaseHealth: () => void = () => {};
    const healthGate = new Promise<void>((resolve) => {
      releaseHealth = resolve;
    });
    const a = withReads(cloud, { key: 'a' });
    a.health = async () => {
      await healthGate;
      return { state: 'ok' };
    };
    const b = withReads(cloud, { key: 'b', dependsOn: ['a'] });
    const findB = b.find.bind(b);
    b.find = async (ctx) => {
      const found = await findB(ctx);
      releaseHealth();
      return found;
    };
    const env = await fakeEnv([a, b]);
    const report = await readStatus(env);
    expect(report.rows.map((r) => [r.key, r.state])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
    ]);
  });

  it('one reading sends a read two resources ask for once, and traces it once', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetAccessKeyInfoResponse><GetAccessKeyInfoResult><Account>111122223333</Account></GetAccessKeyInfoResult></GetAccessKeyInfoResponse>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = { ...process.env };
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'k';
    process.env.AWS_SECRET_ACCESS_KEY = 's';
    try {
      const cloud = new FakeCloud();
      const resources = ['a', 'b'].map((key) => {
        cloud.seed({ name: key, spec: {} });
        const resource = withReads(cloud, { key });
        resource.health = async (ctx) => {
          await ctx.aws.sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: 'AKIA1' }));
          return { state: 'ok' };
        };
        return resource;
      });
      const env = await fakeEnv(resources);
      const report = await readStatus(env, { tracer: env.aws.tracer });
      expect(report.rows.map((r) => r.state)).toEqual(['ok', 'ok']);
      expect(requests).toBe(1);
      expect(report.awsCalls).toEqual({ total: 1, changing: 0 });
      // The next reading asks again.
      await readStatus(env);
      expect(requests).toBe(2);
      env.aws.destroy();
    } finally {
      process.env = saved;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('runs with read-only options: a handler never sees a changing mode', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: {} });
    const seen: boolean[] = [];
    const a = withReads(cloud, { key: 'a' });
    a.health = async (ctx) => {
      seen.push(ctx.options.readOnly);
      return { state: 'ok' };
    };
    const env = await fakeEnv([a], { options: { readOnly: false } });
    await readStatus(env);
    expect(seen).toEqual([true]);
  });

  it('after a destroy that stopped before the end, the next step is to finish it, not `up`', async () => {
    const cloud = new FakeCloud();
    // What `destroy --no-wait` leaves: the group is gone, the bucket stays for the disabled distribution.
    cloud.seed({ name: 'bucket', spec: {} });
    cloud.seed({ name: 'distribution', spec: { enabled: false } });
    const env = await fakeEnv([
      withReads(cloud, { key: 'autoScalingGroup' }),
      withReads(cloud, { key: 'bucket' }),
      withReads(
        cloud,
        { key: 'distribution', dependsOn: ['bucket'], spec: { enabled: true } },
        { health: { state: 'pending', detail: 'being deleted (InProgress)' } },
      ),
    ]);
    env.store.set('distribution', { id: 'distribution-1', deletePhase: 'disabling' });
    await env.store.save();
    const report = await readStatus(env);
    expect(report.rows.map((r) => [r.key, r.state])).toEqual([
      ['autoScalingGroup', 'missing'],
      ['bucket', 'ok'],
      ['distribution', 'drifted'],
    ]);
    expect(report.summary.nextSteps).toEqual([
      'a `tekamolo destroy` has not finished: run it again to delete what is left (`tekamolo up` would build the stack again instead)',
    ]);

    // Once no phase is recorded, the same rows call for `up` again.
    env.store.set('distribution', { id: 'distribution-1' });
    const later = await readStatus(env);
    expect(later.summary.nextSteps).toEqual([
      'missing: autoScalingGroup; `tekamolo up` creates them',
      'drifted from the config: distribution (enabled); `tekamolo plan` shows the changes, `tekamolo up` puts them back',
    ]);
  });
});
