import { describe, expect, it } from 'vitest';
import { stateText } from '../../../../src/cli/commands/state.js';

const SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2';
const state = {
  version: 1,
  stack: 'acme',
  resources: { listener: { arn: 'arn:listener', originSecret: SECRET } },
  retired: [{ key: 'listener', actual: { id: 'arn:old', originSecret: SECRET } }],
};

describe('state pull', () => {
  it('hides every secret field, wherever it sits, unless asked for', () => {
    const hidden = stateText(state, false);
    expect(hidden).not.toContain(SECRET);
    expect(JSON.parse(hidden)).toMatchObject({ resources: { listener: { arn: 'arn:listener' } } });
    expect(hidden).toContain('--show-secrets');
    expect(JSON.parse(stateText(state, true))).toEqual(state);
  });
});
