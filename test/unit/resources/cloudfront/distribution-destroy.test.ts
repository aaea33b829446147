import { describe, expect, it } from 'vitest';
import { type ActualDistribution, distribution } from '../../../../src/resources/cloudfront/distribution.js';
import { testContext } from '../../../support/context.js';

/**
 * After `destroy --no-wait` the distribution is disabled and deploying, with the delete phase in state:
 * status must say that a destroy is under way, not that the distribution is broken.
 */

function disabled(status: string): ActualDistribution {
  // health reads only the status and whether the distribution is enabled.
  return { id: 'E2EXAMPLE', status, settings: { enabled: false } } as unknown as ActualDistribution;
}

describe('distribution health while a destroy is under way', () => {
  it('a delete phase in state is a pending deletion that names the command that finishes it', async () => {
    const ctx = testContext({ key: 'distribution', saved: { id: 'E2EXAMPLE', deletePhase: 'disabling' } });
    expect(await distribution.health!(ctx, disabled('InProgress'))).toEqual({
      state: 'pending',
      detail: 'being deleted (InProgress): run `tekamolo destroy` to finish',
    });
  });

  it('disabled without a destroy under way is still unhealthy', async () => {
    const ctx = testContext({ key: 'distribution', saved: { id: 'E2EXAMPLE' } });
    expect(await distribution.health!(ctx, disabled('Deployed'))).toEqual({
      state: 'unhealthy',
      detail: 'distribution is disabled',
    });
  });
});
