import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { savedState } from '../../../../src/resources/shared/saved-state.js';
import { testContext } from '../../../support/context.js';

const shape = z.object({ arn: z.optional(z.string()), port: z.optional(z.number()) });

describe('savedState', () => {
  it('reads the fields the shape names, leaving the outputs saved beside them out', () => {
    const ctx = testContext({ saved: { arn: 'arn:1', port: 80, dnsName: 'x' } });
    expect(savedState(ctx, shape)).toEqual({ arn: 'arn:1', port: 80 });
  });

  it('an entry with a wrong-typed field counts as nothing saved', () => {
    expect(savedState(testContext({ saved: { arn: 'arn:1', port: '80' } }), shape)).toEqual({});
    expect(savedState(testContext({ saved: { arn: ['arn:1'] } }), shape)).toEqual({});
  });
});
