import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  CloudFrontClient,
  CloudFrontServiceException,
  DeleteDistributionCommand,
  type Distribution,
  type DistributionConfig,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { destroy, discoverForDestroy } from '../../../src/engine/destroy.js';
import { distribution } from '../../../src/resources/cloudfront/distribution.js';
import { applySettings, knownSettings } from '../../../src/resources/cloudfront/distribution-settings.js';
import type { StateFile } from '../../../src/state/types.js';
import { testConfig, testContext } from '../../support/context.js';
import { fakeEnv } from '../../support/fake-resources.js';

/**
 * A destroy killed while it waits for the disabled distribution to deploy, then run again: the second
 * neither disables it again nor starts the disable over, deletes it, and the third changes nothing.
 * The real distribution handler and engine over a CloudFront that keeps its one distribution in memory
 * and answers as AWS documents (IfMatch checked, no delete of an enabled or undeployed distribution).
 * The end-to-end tests keep the kill in the middle of the deletes (test/integration/e2e-destroy.test.ts).
 */

const ID = 'E2KILLED';
const STACK = 'demo';
/** Reads a change stays InProgress: the kill lands among them. */
const READS_TO_DEPLOY = 6;

function awsError(name: string): CloudFrontServiceException {
  return new CloudFrontServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

/** The distribution `up` left: enabled, deployed, tagged with the stack. */
async function builtConfig(): Promise<DistributionConfig> {
  const ctx = testContext({
    key: 'distribution',
    outputs: {
      bucket: { name: 'demo-site', regionalDomainName: 'demo-site.s3.eu-central-1.amazonaws.com' },
      oac: { id: 'OAC1' },
      validation: { records: [], cdnCertificateArn: 'arn:cdn', originCertificateArn: 'arn:origin' },
      listener: { arn: 'arn:listener', originHeaderName: 'x-origin-secret', originSecret: 's3cr3t' },
      spaFunction: { name: 'demo-routing', arn: 'arn:function' },
    },
  });
  const desired = await distribution.desired(ctx);
  return applySettings(undefined, knownSettings(desired.settings), {
    callerReference: desired.callerReference,
    comment: desired.comment,
  });
}

/** CloudFront with one distribution, and a process that can die: after `kill`, no call is answered. */
class OneDistribution {
  config: DistributionConfig;
  status = 'Deployed';
  exists = true;
  etag = 1;
  readsLeft = 0;
  readsSinceDisable = 0;
  /** Changing calls answered, in order. */
  readonly changes: string[] = [];
  killAfterReadsInDisable: number | undefined;
  private killed = false;

  constructor(config: DistributionConfig) {
    this.config = config;
  }

  revive(): void {
    this.killed = false;
    this.killAfterReadsInDisable = undefined;
  }

  private alive(): void {
    if (this.killed) throw new Error('killed: the process is gone');
  }

  private current(): Distribution {
    return {
      Id: ID,
      ARN: `arn:aws:cloudfront::123456789012:distribution/${ID}`,
      DomainName: 'd111.cloudfront.net',
      Status: this.status,
      DistributionConfig: this.config,
    } as Distribution;
  }

  get(): { Distribution: Distribution; ETag: string } {
    this.alive();
    if (!this.exists) throw awsError('NoSuchDistribution');
    if (this.status === 'InProgress' && --this.readsLeft <= 0) this.status = 'Deployed';
    if (this.config.Enabled === false && this.readsSinceDisable++ === this.killAfterReadsInDisable) {
      // SIGKILL while waiting: this read was made, its answer never arrives.
      this.killed = true;
      this.alive();
    }
    return { Distribution: this.current(), ETag: `E${this.etag}` };
  }

  update(config: DistributionConfig, ifMatch: string | undefined): { Distribution: Distribution } {
    this.alive();
    if (ifMatch !== `E${this.etag}`) throw awsError('PreconditionFailed');
    this.changes.push('UpdateDistribution');
    this.config = config;
    this.status = 'InProgress';
    this.readsLeft = READS_TO_DEPLOY;
    this.etag++;
    return { Distribution: this.current() };
  }

  delete(ifMatch: string | undefined): void {
    this.alive();
    if (!this.exists) throw awsError('NoSuchDistribution');
    if (ifMatch !== `E${this.etag}`) throw awsError('PreconditionFailed');
    if (this.config.Enabled !== false || this.status !== 'Deployed')
      throw awsError('DistributionNotDisabled');
    this.changes.push('DeleteDistribution');
    this.exists = false;
  }
}

describe('destroy killed while waiting for the disabled distribution', () => {
  const cf = mockClient(CloudFrontClient);
  afterEach(() => {
    cf.reset();
  });

  function serve(cloud: OneDistribution): void {
    cf.on(GetDistributionCommand).callsFake(() => cloud.get());
    cf.on(GetDistributionConfigCommand).callsFake(() => {
      const { Distribution: current, ETag } = cloud.get();
      return { DistributionConfig: current.DistributionConfig, ETag };
    });
    cf.on(UpdateDistributionCommand).callsFake((input) =>
      cloud.update(input.DistributionConfig, input.IfMatch),
    );
    cf.on(DeleteDistributionCommand).callsFake((input) => cloud.delete(input.IfMatch));
    cf.on(ListTagsForResourceCommand).resolves({
      Tags: {
        Items: [
          { Key: 'tekamolo:stack', Value: STACK },
          { Key: 'tekamolo:resource', Value: 'distribution' },
        ],
      },
    });
    cf.on(ListDistributionsCommand).callsFake(() => ({
      DistributionList: {
        Items: cloud.exists ? [{ Id: ID, Comment: cloud.config.Comment }] : [],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
        Quantity: cloud.exists ? 1 : 0,
      },
    }));
  }

  /** One destroy of the stack's distribution in the folder `dir` (state from the run before). */
  async function destroyIn(dir?: string) {
    const env = await fakeEnv([{ ...distribution, dependsOn: [] }], {
      config: testConfig({ stack: STACK }),
      options: { yes: true },
      ...(dir ? { dir } : {}),
    });
    const result = await destroy(env, await discoverForDestroy(env));
    return { env, result };
  }

  it('the next destroy deletes it without disabling it again, and the one after changes nothing', async () => {
    const cloud = new OneDistribution(await builtConfig());
    serve(cloud);
    // The state `up` left: the distribution's id.
    const first = await fakeEnv([{ ...distribution, dependsOn: [] }], {
      config: testConfig({ stack: STACK }),
    });
    first.store.set('distribution', { id: ID });
    await first.store.save();
    await first.store.close();

    cloud.killAfterReadsInDisable = 2;
    const killed = await destroyIn(first.dir);
    expect(killed.result.ok).toBe(false);
    expect(cloud.changes).toEqual(['UpdateDistribution']);
    expect(cloud.status).toBe('InProgress');
    const saved = JSON.parse(await readFile(killed.env.store.path, 'utf8')) as StateFile;
    expect(saved.resources.distribution).toMatchObject({ id: ID, deletePhase: 'disabling' });

    cloud.revive();
    const second = await destroyIn(first.dir);
    expect(second.result.ok).toBe(true);
    expect(cloud.changes).toEqual(['UpdateDistribution', 'DeleteDistribution']);
    expect(cloud.exists).toBe(false);
    expect(existsSync(second.env.store.path)).toBe(false);

    const third = await destroyIn(first.dir);
    expect(third.result.ok).toBe(true);
    expect(cloud.changes).toEqual(['UpdateDistribution', 'DeleteDistribution']);
  });
});
