import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ChangeableFields,
  fieldChange,
  isUnknown,
  known,
  knownValue,
  outputField,
  shown,
  UNKNOWN,
  type Unknown,
  unknown,
} from '../../../src/engine/contract.js';
import { WorkError } from '../../../src/errors.js';

describe('unknown values', () => {
  it('a field of unknown outputs is unknown, never a string standing in for a list', () => {
    const subnets = outputField<{ subnetIds: string[] }, 'subnetIds'>(unknown, 'subnetIds');
    expect(isUnknown(subnets)).toBe(true);
    expect(typeof subnets).not.toBe('string');
    expect(outputField({ subnetIds: ['subnet-1'] }, 'subnetIds')).toEqual(['subnet-1']);
  });

  it('known gives the value or undefined; knownValue refuses an unknown with a failure naming it', () => {
    expect(known('vpc-1')).toBe('vpc-1');
    expect(known(unknown)).toBeUndefined();
    expect(knownValue('vpc-1', 'the VPC')).toBe('vpc-1');
    expect(() => knownValue(unknown, 'the VPC')).toThrow(new WorkError('the VPC is not known yet'));
  });

  it('plan shows an unknown, also inside lists and objects, as the text users know', () => {
    expect(shown({ arns: ['arn:1', unknown], vpc: unknown })).toEqual({
      arns: ['arn:1', UNKNOWN],
      vpc: UNKNOWN,
    });
    expect(JSON.stringify({ vpc: unknown })).toBe(`{"vpc":"${UNKNOWN}"}`);
    expect(fieldChange('arns', [unknown], ['arn:1'])).toEqual([
      { field: 'arns', from: ['arn:1'], to: [UNKNOWN], action: 'update' },
    ]);
  });
});

describe('outputs an update hands over as unknown', () => {
  it('are the fields the outputs type declares T | Unknown, and only those (checked by the compiler)', () => {
    interface Outputs {
      id: string;
      version: number | Unknown;
      note?: string;
    }
    expectTypeOf<ChangeableFields<Outputs>>().toEqualTypeOf<'version'>();
    const handedOver: Outputs = { id: 'lt-1', version: unknown };
    expect(isUnknown(outputField(handedOver, 'version'))).toBe(true);
  });
});
