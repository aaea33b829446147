import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { destroyPlanDocument, outputsDocument } from '../../src/output/json-schema.js';
import {
  ALL_KINDS,
  BUCKET_LINE,
  bucketExists,
  createForeign,
  fillBucket,
  kinds,
  readState,
  STACK,
  useDestroyBench,
  versionCount,
  writtenByTekamolo,
} from '../support/destroy-checks.js';
import { changingCalls, killAfterCalls, readTrace, zoneRecords } from '../support/e2e.js';
import { expectDocument, expectEventLines } from '../support/json-contract.js';
import { motoAvailable, useMoto } from '../support/moto.js';
import { callsNotInPolicy } from '../support/policy.js';

/**
 * `tekamolo destroy` end to end: the built CLI against moto_server, checked through the SDK (never through
 * tekamolo): everything tagged with the stack is gone, anything else (foreign look-alikes, a site name
 * pointed elsewhere, the hosted zone and its other records) is untouched; a destroy killed while deleting
 * is finished by the next one; a lost state file and plan --destroy. What resumes a destroy (--no-wait,
 * Ctrl-C, --keep-bucket) and the confirmation on a terminal: e2e-destroy-resume.test.ts. A destroy killed
 * while waiting for the disabled distribution: test/unit/engine/destroy-killed.test.ts.
 */

describe.skipIf(!motoAvailable())('destroy end to end', () => {
  const bench = useDestroyBench(useMoto());
  const { cli, up, traceFile, leftovers } = bench;

  it('deletes everything of the stack and nothing else: foreign look-alikes, the zone and its other records stay', async () => {
    const { project, sdk, s3, zoneId } = bench;
    // The whole lifecycle runs traced, so that the end can check `tekamolo policy` allows every call.
    const upTrace = traceFile();
    const built = await cli(['up'], upTrace);
    expect(built.stderr).not.toMatch(/error/i);
    expect(built.code).toBe(0);
    expect(built.stdout).toContain(`https://${project.domain}/`);
    expect((await readState(project)).stack).toBe(STACK);
    expect(existsSync(`${project.stateFile}.lock`)).toBe(false);
    const readTraces = [traceFile(), traceFile()];
    expect((await cli(['plan'], readTraces[0])).code).toBe(0);
    expect((await cli(['status'], readTraces[1])).code).toBe(0);
    const outputsTrace = traceFile();
    const outputs = await cli(['outputs', '--json'], outputsTrace);
    expect(outputs.code).toBe(0);
    const balancers = await sdk.elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(expectDocument(outputs.stdout, outputsDocument)).toMatchObject({
      command: 'outputs',
      ok: true,
      stage: null,
      bucket: project.bucket,
      loadBalancer: { dnsName: balancers.LoadBalancers?.[0]?.DNSName },
      elasticIp: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
      instances: [expect.stringMatching(/^i-/)],
      awsCalls: { changing: 0 },
      missing: [],
    });
    // Someone pointed a site name elsewhere: that record stays, the alias records still ours go.
    await sdk.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: `www.${project.domain}`,
                Type: 'A',
                TTL: 300,
                ResourceRecords: [{ Value: '192.0.2.80' }],
              },
            },
          ],
        },
      }),
    );
    const foreign = await createForeign(sdk, s3, zoneId, project.domain);
    await fillBucket(s3, project.bucket);
    const before = await leftovers();
    expect(kinds(before)).toEqual(ALL_KINDS);
    const otherRecords = (await zoneRecords(sdk.route53, zoneId)).filter(
      (r) => !writtenByTekamolo(r, project.domain),
    );

    // plan --destroy: the list, with the bucket's content, and not one changing call.
    const planTrace = traceFile();
    const plan = await cli(['plan', '--destroy', '--exit-code'], planTrace);
    expect(plan.code).toBe(3);
    expect(plan.stdout).toMatch(BUCKET_LINE);
    expect(plan.stdout).toMatch(/- distribution /);
    expect(plan.stdout).toContain('kept: ');
    expect(plan.stdout).toMatch(/\n\d+ to delete, 2 kept\n$/);
    expect(plan.stdout).not.toContain(foreign.buckets[0]);
    expect(changingCalls(await readTrace(planTrace))).toEqual([]);
    const planJson = expectDocument((await cli(['--json', 'plan', '--destroy'])).stdout, destroyPlanDocument);
    expect(planJson).toMatchObject({ command: 'plan', destroy: true, ok: true, awsCalls: { changing: 0 } });
    expect(planJson.resources.filter((r) => r.action === 'delete').map((r) => r.key)).toEqual(
      expect.arrayContaining(['bucket', 'distribution']),
    );

    // No terminal and no --yes: exit 2, nothing deleted.
    const refusedTrace = traceFile();
    const refused = await cli(['destroy'], refusedTrace);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing was deleted');
    expect(refused.stderr).toContain('--yes');
    expect(changingCalls(await readTrace(refusedTrace))).toEqual([]);
    expect(await leftovers()).toEqual(before);

    await mkdir(join(project.dir, 'dist'));
    await writeFile(join(project.dir, 'dist', 'index.html'), '<!doctype html><title>site</title>\n');
    const syncTrace = traceFile();
    expect((await cli(['sync-frontend'], syncTrace)).code).toBe(0);

    const trace = traceFile();
    const started = Date.now();
    const down = await cli(['--json', 'destroy', '--yes'], trace);
    const wallMs = Date.now() - started;
    expect(down.code).toBe(0);
    const records = await readTrace(trace);
    expect(expectEventLines(down.stdout).at(-1)).toMatchObject({
      code: 'run-finished',
      command: 'destroy',
      ok: true,
      awsCalls: { total: records.length, changing: changingCalls(records).length },
    });
    const changing = changingCalls(records);
    console.info(
      `destroy of a full stack on the emulator: ${records.length} AWS calls (${changing.length} changing), ${wallMs} ms wall time`,
    );

    expect(await leftovers()).toEqual([]);
    // The distribution was disabled before it was deleted, with an ETag.
    expect(changing.indexOf('cloudfront:UpdateDistribution')).toBeGreaterThanOrEqual(0);
    expect(changing.indexOf('cloudfront:UpdateDistribution')).toBeLessThan(
      changing.indexOf('cloudfront:DeleteDistribution'),
    );
    // What the distribution used went after it.
    for (const after of [
      's3:DeleteBucketPolicy',
      'cloudfront:DeleteOriginAccessControl',
      's3:DeleteBucket',
    ]) {
      expect(changing.indexOf(after)).toBeGreaterThan(changing.indexOf('cloudfront:DeleteDistribution'));
    }
    // The bucket went with all its versions and delete markers.
    expect(await bucketExists(s3, project.bucket)).toBe(false);

    for (const bucket of foreign.buckets) {
      expect(await bucketExists(s3, bucket)).toBe(true);
      expect(await versionCount(s3, bucket)).toEqual({ versions: 1, markers: 0 });
    }
    const groups = await sdk.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: foreign.groupIds }));
    expect(groups.SecurityGroups?.map((g) => g.IpPermissions?.length)).toEqual([1, 1]);
    // The zone is still there with exactly the records that were not tekamolo's.
    expect(await zoneRecords(sdk.route53, zoneId)).toEqual(otherRecords);
    expect(otherRecords.map((r) => `${r.Type} ${r.Name}`)).toEqual(
      expect.arrayContaining([
        ...foreign.records.map((r) => `${r.type} ${r.name}.`),
        `A www.${project.domain}.`,
      ]),
    );

    expect(existsSync(project.stateFile)).toBe(false);
    expect(existsSync(`${project.stateFile}.bak`)).toBe(true);
    expect(existsSync(`${project.stateFile}.lock`)).toBe(false);

    const againTrace = traceFile();
    const again = await cli(['destroy', '--yes'], againTrace);
    expect(again.code).toBe(0);
    expect(changingCalls(await readTrace(againTrace))).toEqual([]);

    // up, plan, status, outputs, sync-frontend, destroy: `tekamolo policy` allows every call they made, and
    // `policy --for plan|status` every call of the read-only commands.
    const lifecycle = (await Promise.all([upTrace, outputsTrace, syncTrace, trace].map(readTrace))).flat();
    expect(changingCalls(lifecycle)).toEqual(
      expect.arrayContaining([
        'cloudfront:CreateDistributionWithTags',
        's3:PutObject',
        'cloudfront:DeleteDistribution',
      ]),
    );
    const reads = (await Promise.all([...readTraces, planTrace].map(readTrace))).flat();
    expect(reads.length).toBeGreaterThan(0);
    expect(await callsNotInPolicy(project.config, [...lifecycle, ...reads])).toEqual([]);
    expect(await callsNotInPolicy(project.config, reads, 'plan')).toEqual([]);
  }, 180_000);

  it('killed with SIGKILL while deleting, the next destroy finishes and the one after changes nothing', async () => {
    const { project, s3, env } = bench;
    await up();
    await fillBucket(s3, project.bucket);
    const full = Object.keys((await readState(project)).resources).length;
    // plan --destroy makes the same read-only look as destroy: a dozen calls past it is among the deletes.
    const lookTrace = traceFile();
    expect((await cli(['plan', '--destroy'], lookTrace)).code).toBe(0);
    const look = (await readTrace(lookTrace)).length;
    const trace = traceFile();
    const killed = await killAfterCalls(
      ['-c', project.config, '--trace', trace, 'destroy', '--yes'],
      { env, cwd: project.dir },
      trace,
      look + 12,
    );
    expect(killed.finishedFirst).toBe(false);
    expect(killed.signal).toBe('SIGKILL');
    expect(changingCalls(await readTrace(trace)).length).toBeGreaterThan(0);
    const stateBefore = await readState(project);
    expect(Object.keys(stateBefore.resources).length).toBeLessThan(full);
    expect((await leftovers()).length).toBeGreaterThan(0);
    expect(Object.keys(stateBefore.resources).length).toBeGreaterThan(0);

    // The lock of the killed run names a process that is gone: the next run takes it over.
    const second = await cli(['destroy', '--yes'], traceFile());
    expect(second.stderr).not.toMatch(/error/i);
    expect(second.code).toBe(0);
    expect(await leftovers()).toEqual([]);
    expect(existsSync(project.stateFile)).toBe(false);
    expect(existsSync(`${project.stateFile}.bak`)).toBe(true);

    const thirdTrace = traceFile();
    const third = await cli(['destroy', '--yes'], thirdTrace);
    expect(third.code).toBe(0);
    expect(changingCalls(await readTrace(thirdTrace))).toEqual([]);
  }, 180_000);

  it('without a state file finds everything by name and tag and deletes it, and still nothing foreign', async () => {
    const { project, sdk, s3, zoneId } = bench;
    await up();
    const foreign = await createForeign(sdk, s3, zoneId, project.domain);
    await fillBucket(s3, project.bucket);
    const otherRecords = (await zoneRecords(sdk.route53, zoneId)).filter(
      (r) => !writtenByTekamolo(r, project.domain),
    );
    await rm(`${project.dir}/.tekamolo`, { recursive: true });

    const trace = traceFile();
    const down = await cli(['destroy', '--yes'], trace);
    expect(down.stderr).not.toMatch(/error/i);
    expect(down.code).toBe(0);
    expect(await leftovers()).toEqual([]);
    for (const bucket of foreign.buckets) expect(await bucketExists(s3, bucket)).toBe(true);
    const groups = await sdk.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: foreign.groupIds }));
    expect(groups.SecurityGroups).toHaveLength(2);
    expect(await zoneRecords(sdk.route53, zoneId)).toEqual(otherRecords);
    expect(existsSync(project.stateFile)).toBe(false);
  }, 180_000);
});
