import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { colors } from '../../../../src/cli/render/colors.js';
import { jsonRenderer } from '../../../../src/cli/render/json.js';
import { liveRenderer } from '../../../../src/cli/render/live.js';
import { plainRenderer } from '../../../../src/cli/render/plain.js';
import {
  destroyPlanDocument,
  planDocument,
  renderDestroyPlan,
  renderPlan,
} from '../../../../src/cli/render/plan.js';
import { errorEvent } from '../../../../src/cli/render/renderer.js';
import { destroySummary, upSummary } from '../../../../src/cli/render/summary.js';
import { deriveNames } from '../../../../src/config/names.js';
import type { DestroyPlan } from '../../../../src/engine/destroy.js';
import type { EngineEvent } from '../../../../src/engine/events.js';
import type { Plan } from '../../../../src/engine/plan.js';
import type { RunResult } from '../../../../src/engine/run-summary.js';
import { JSON_VERSION } from '../../../../src/output/message.js';
import { testConfig } from '../../../support/context.js';

class Buffer {
  text = '';
  columns = 200;
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
  get lines() {
    return this.text.split('\n').filter(Boolean);
  }
}

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 21, 0, seconds)).toISOString();
const noColor = colors(false);
const noCalls = { total: 0, changing: 0 };
const planJson = (plan: Plan) => JSON.stringify(planDocument(plan, noCalls));
const destroyPlanJson = (plan: DestroyPlan) => JSON.stringify(destroyPlanDocument(plan, noCalls));

const events: EngineEvent[] = [
  { code: 'run-started', time: at(0), level: 'info', command: 'up', stack: 'demo', resources: 3 },
  {
    code: 'resource-started',
    time: at(1),
    level: 'info',
    key: 'bucket',
    title: 'S3 bucket',
    action: 'create',
  },
  {
    code: 'resource-done',
    time: at(2),
    level: 'info',
    key: 'bucket',
    action: 'create',
    id: 'demo-site',
    durationMs: 1200,
  },
  {
    code: 'resource-waiting',
    time: at(3),
    level: 'info',
    key: 'validation',
    message: 'waiting for ISSUED',
    elapsedMs: 1000,
  },
  {
    code: 'resource-waiting',
    time: at(13),
    level: 'info',
    key: 'validation',
    message: 'waiting for ISSUED',
    elapsedMs: 11000,
  },
  {
    code: 'resource-waiting',
    time: at(34),
    level: 'info',
    key: 'validation',
    message: 'waiting for ISSUED',
    elapsedMs: 32000,
  },
  {
    code: 'resource-failed',
    time: at(40),
    level: 'info',
    key: 'listener',
    error: 'creating HTTPS listener: certificate not found (CertificateNotFound)',
    hint: 'check the certificate',
    durationMs: 300,
  },
  { code: 'resource-skipped', time: at(40), level: 'info', key: 'distribution', reason: 'listener failed' },
  {
    code: 'resource-done',
    time: at(41),
    level: 'info',
    key: 'listener',
    action: 'update',
    durationMs: 5,
    changes: [{ field: 'originSecret', from: 'abc', to: 'def', action: 'update' }],
  },
  {
    code: 'run-finished',
    time: at(42),
    level: 'info',
    command: 'up',
    ok: false,
    durationMs: 42000,
    counts: { create: 1, failed: 1, skipped: 1 },
    awsCalls: { total: 10, changing: 2 },
  },
];

describe('plain renderer', () => {
  it('prints one timestamped line per event that matters, and a long wait only when it changes or every 30 s', () => {
    const out = new Buffer();
    const r = plainRenderer({ stdout: new Buffer(), stderr: out }, noColor, false);
    for (const e of events) r.sink(e);
    expect(out.lines).toEqual([
      '21:00:00 up demo: 3 resources',
      '21:00:01 bucket: creating',
      '21:00:02 ✓ bucket: created demo-site 1.2s',
      '21:00:03 validation: waiting for ISSUED (1.0s)',
      '21:00:34 validation: waiting for ISSUED (32.0s)',
      '21:00:40 ✗ listener: creating HTTPS listener: certificate not found (CertificateNotFound)',
      '             → check the certificate',
      '21:00:40 - distribution: skipped (listener failed)',
      '21:00:41 ✓ listener: updated 5ms',
    ]);
  });

  it('shows changed fields with --verbose, never a secret value', () => {
    const out = new Buffer();
    const r = plainRenderer({ stdout: new Buffer(), stderr: out }, noColor, true);
    for (const e of events) r.sink(e);
    expect(out.text).toContain('originSecret: (sensitive)');
    expect(out.text).not.toContain('abc');
    expect(out.text).not.toContain('def');
  });

  it('has no escape codes without colour', () => {
    const out = new Buffer();
    const r = plainRenderer({ stdout: new Buffer(), stderr: out }, noColor, true);
    for (const e of events) r.sink(e);
    expect(out.text).not.toContain(String.fromCharCode(27));
  });
});

describe('json renderer', () => {
  it('writes every event as one JSON object per line on stdout, secrets replaced', () => {
    const stdout = new Buffer();
    const stderr = new Buffer();
    const r = jsonRenderer({ stdout, stderr });
    for (const e of events) r.sink(e);
    r.note('human text');
    const parsed = stdout.lines.map((line) => JSON.parse(line) as EngineEvent);
    expect(parsed.map((e) => e.code)).toEqual(events.map((e) => e.code));
    expect(parsed.at(-1)).toEqual({ version: JSON_VERSION, ...events.at(-1) });
    expect(stdout.text).not.toContain('"abc"');
    expect(parsed[8]).toMatchObject({
      changes: [{ field: 'originSecret', from: '(sensitive)', to: '(sensitive)' }],
    });
    expect(stderr.text).toBe('human text\n');
  });
});

describe('results and errors', () => {
  it('--json: a result document with the version (one line when compact); its words go to stderr', () => {
    const stdout = new Buffer();
    const stderr = new Buffer();
    const r = jsonRenderer({ stdout, stderr });
    r.result({ text: 'the table', document: { command: 'status', ok: true }, compact: true });
    r.result({ text: 'The stack is up.\n' });
    expect(stdout.text).toBe(`{"version":${JSON_VERSION},"command":"status","ok":true}\n`);
    expect(stderr.text).toBe('The stack is up.\n');
  });

  it('without --json: the result on stdout, the error in words on stderr, no JSON anywhere', () => {
    const stdout = new Buffer();
    const stderr = new Buffer();
    const r = plainRenderer({ stdout, stderr }, noColor, false);
    r.result({ text: 'the table\n', document: { command: 'status' } });
    r.sink(errorEvent({ error: 'no credentials', hint: 'set AWS_PROFILE', exitCode: 2, awsCalls: noCalls }));
    expect(stdout.text).toBe('the table\n');
    expect(stderr.text).toBe('error: no credentials\n  → set AWS_PROFILE\n');
  });

  it('--json: the error is the final event on stdout, and in words on stderr', () => {
    const stdout = new Buffer();
    const stderr = new Buffer();
    jsonRenderer({ stdout, stderr }).sink(errorEvent({ error: 'lock held', exitCode: 1, awsCalls: noCalls }));
    expect(JSON.parse(stdout.text)).toMatchObject({
      version: JSON_VERSION,
      level: 'error',
      code: 'error',
      ok: false,
      error: 'lock held',
      exitCode: 1,
      awsCalls: noCalls,
    });
    expect(stderr.text).toBe('error: lock held\n');
  });
});

describe('live renderer', () => {
  it('draws running resources below the finished lines and redraws them in place', () => {
    const out = new Buffer();
    let now = Date.parse(at(1));
    const r = liveRenderer({ stdout: new Buffer(), stderr: out }, noColor, false, () => now);
    r.sink(events[0]!);
    r.sink(events[1]!);
    expect(out.text).toContain('bucket: creating 0ms');
    now += 2500;
    r.sink({
      code: 'resource-progress',
      time: at(3),
      level: 'info',
      key: 'bucket',
      message: 'setting encryption',
    });
    expect(out.text).toContain('\x1b[1A\x1b[0J');
    expect(out.text).toContain('bucket: setting encryption 2.5s');
    r.sink(events[2]!);
    r.close();
    // What stays on screen after the last redraw: the permanent lines only.
    expect(out.text.endsWith('✓ bucket: created demo-site 1.2s\n')).toBe(true);
  });
});

describe('live renderer on a narrow terminal', () => {
  it('cuts the message, never the elapsed time, measuring what the terminal shows', () => {
    const out = new Buffer();
    out.columns = 50;
    const color = colors(true);
    let now = Date.parse(at(1));
    const r = liveRenderer({ stdout: new Buffer(), stderr: out }, color, false, () => now);
    r.sink({
      code: 'resource-started',
      time: at(1),
      level: 'info',
      key: 'distribution',
      title: 'CloudFront distribution',
      action: 'create',
    });
    now += 754_000;
    r.sink({
      code: 'resource-waiting',
      time: at(2),
      level: 'info',
      key: 'distribution',
      message: 'waiting for CloudFront to reach Deployed (InProgress; usually 5–10 minutes)',
      elapsedMs: 754_000,
    });
    const last = out.text.split('\n').filter(Boolean).at(-1) ?? '';
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is stripped here
    const visible = last.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    expect(visible).toMatch(/^. distribution: waiting for CloudFront.*… 12m34s$/);
    expect(visible.length).toBeLessThanOrEqual(49);
    r.close();
  });
});

describe('live renderer while a question is asked', () => {
  it('clears the running rows and holds finished lines until the answer', async () => {
    const out = new Buffer();
    const r = liveRenderer({ stdout: new Buffer(), stderr: out }, noColor, false, () => Date.parse(at(1)));
    r.sink(events[1]!);
    let during = '';
    const answer = await r.suspend(async () => {
      const before = out.text.length;
      r.sink(events[2]!);
      during = out.text.slice(before);
      return 'yes';
    });
    expect(answer).toBe('yes');
    expect(during).toBe('');
    expect(out.text).toContain('✓ bucket: created demo-site 1.2s');
    r.close();
  });
});

const plan: Plan = {
  stack: 'demo',
  resources: [
    { key: 'zone', title: 'Route 53 hosted zone', action: 'noop', id: 'Z1', changes: [] },
    { key: 'bucket', title: 'S3 bucket', action: 'create', changes: [] },
    {
      key: 'listener',
      title: 'HTTPS listener',
      action: 'update',
      id: 'arn:l',
      changes: [
        { field: 'sslPolicy', from: 'old', to: 'new', action: 'update' },
        { field: 'originSecret', from: 's1', to: 's2', action: 'update' },
      ],
    },
    {
      key: 'targetGroup',
      title: 'target group',
      action: 'replace',
      id: 'arn:tg',
      changes: [
        {
          field: 'port',
          from: 80,
          to: 8080,
          action: 'replace',
          reason: 'the port of a target group is fixed',
        },
      ],
    },
    {
      key: 'dnsAlias',
      title: 'DNS aliases',
      action: 'takeover',
      reason: 'points to d111.cloudfront.net',
      changes: [],
    },
    {
      key: 'network',
      title: 'VPC',
      action: 'noop',
      error: 'reading VPC: boom',
      hint: 'check the VPC id',
      changes: [],
    },
  ],
  leftovers: [],
  summary: { create: 1, update: 1, replace: 1, takeover: 1, noop: 1, leftover: 0, errors: 1 },
};

describe('plan renderer', () => {
  it('marks each action, shows field changes, hides secrets and ends with the summary', () => {
    const text = renderPlan(plan, noColor, false);
    expect(text.split('\n')).toEqual([
      'Plan for stack demo:',
      '  +   bucket       create',
      '  ~   listener     update in place arn:l',
      '        sslPolicy: old → new',
      '        originSecret: (sensitive)',
      '  -/+ targetGroup  replace (the port of a target group is fixed) arn:tg',
      '        port: 80 → 8080 (forces replacement)',
      '  !   dnsAlias     take over (points to d111.cloudfront.net)',
      '  ✗   network      reading VPC: boom',
      '        → check the VPC id',
      '  1 in sync',
      '',
      '1 to create, 1 to update, 1 to replace, 1 to take over, 1 could not be checked',
      '',
    ]);
  });

  it('shows what a resource keeps beyond the model, also when it is in sync', () => {
    const kept = ['cache behaviour /images/* → origin images', 'origin shield (eu-central-1) on origin s3'];
    const entries: Plan['resources'] = [
      { key: 'distribution', title: 'CloudFront distribution', action: 'noop', id: 'E1', changes: [], kept },
    ];
    const summary = { create: 0, update: 0, replace: 0, takeover: 0, noop: 1, leftover: 0, errors: 0 };
    const text = renderPlan({ stack: 'demo', resources: entries, leftovers: [], summary }, noColor, false);
    expect(text.split('\n').slice(1, 4)).toEqual([
      '  =   distribution  in sync E1',
      '        kept: cache behaviour /images/* → origin images',
      '        kept: origin shield (eu-central-1) on origin s3',
    ]);
    expect(
      JSON.parse(planJson({ stack: 'demo', resources: entries, leftovers: [], summary })).resources[0].kept,
    ).toEqual(kept);
  });

  it('lists the leftovers up deletes, and counts them', () => {
    const withLeftover: Plan = {
      ...plan,
      leftovers: [
        {
          key: 'targetGroup',
          title: 'target group',
          id: 'arn:old-tg',
          region: 'eu-central-1',
          reason: "carries this stack's tag but is not what the config wants",
        },
      ],
      summary: { ...plan.summary, leftover: 1 },
    };
    const lines = renderPlan(withLeftover, noColor, false).split('\n');
    expect(lines.slice(-6)).toEqual([
      '  -   targetGroup  delete leftover target group arn:old-tg',
      "        carries this stack's tag but is not what the config wants",
      '  1 in sync',
      '',
      '1 to create, 1 to update, 1 to replace, 1 to take over, 1 leftover to delete, 1 could not be checked',
      '',
    ]);
    expect(JSON.parse(planJson(withLeftover)).leftovers).toEqual(withLeftover.leftovers);
  });

  it('lists resources in sync with --verbose', () => {
    expect(renderPlan(plan, noColor, true)).toContain('=   zone         in sync Z1');
  });

  it('is one JSON document with --json, secrets replaced', () => {
    const doc = JSON.parse(planJson(plan));
    expect(doc.summary).toEqual(plan.summary);
    expect(doc.summaryLine).toBe(
      '1 to create, 1 to update, 1 to replace, 1 to take over, 1 could not be checked',
    );
    expect(doc.resources[2].changes[1]).toEqual({
      field: 'originSecret',
      from: '(sensitive)',
      to: '(sensitive)',
      action: 'update',
    });
    expect(JSON.stringify(doc)).not.toContain('s1');
  });

  it('shows what destroy deletes and what it keeps', () => {
    const found: DestroyPlan = {
      stack: 'demo',
      resources: [
        {
          key: 'zone',
          title: 'hosted zone',
          action: 'keep',
          actual: { id: 'Z1' },
          reason: 'never deleted by tekamolo',
        },
        {
          key: 'bucket',
          title: 'S3 bucket',
          action: 'delete',
          actual: { id: 'demo-site' },
          detail: '12 objects, 3.4 MB',
        },
        { key: 'oac', title: 'OAC', action: 'absent' },
      ],
      retired: [],
      leftovers: [
        {
          key: 'targetGroup',
          title: 'target group',
          id: 'arn:tg-8080',
          region: 'eu-central-1',
          actual: { id: 'arn:tg-8080' },
        },
      ],
      summary: { delete: 2, keep: 1, errors: 0 },
    };
    expect(renderDestroyPlan(found, noColor).split('\n')).toEqual([
      'Destroy stack demo:',
      '  = zone         kept: hosted zone Z1 (never deleted by tekamolo)',
      '  - bucket       S3 bucket demo-site',
      '                 12 objects, 3.4 MB',
      '  - targetGroup  leftover target group arn:tg-8080',
      '',
      '2 to delete, 1 kept',
      '',
    ]);
    expect(JSON.parse(destroyPlanJson(found)).leftovers).toEqual([
      { key: 'targetGroup', title: 'target group', id: 'arn:tg-8080', region: 'eu-central-1' },
    ]);
  });
});

describe('plan --destroy --json', () => {
  it('names what would be deleted by id, never with what its handler read (the origin secret)', () => {
    const secret = 'origin-secret-value-7f3a';
    const found: DestroyPlan = {
      stack: 'demo',
      resources: [
        {
          key: 'listener',
          title: 'HTTPS listener',
          action: 'delete',
          actual: { id: 'arn:listener', originSecret: secret } as DestroyPlan['resources'][number]['actual'],
        },
        {
          key: 'distribution',
          title: 'CloudFront distribution',
          action: 'keep',
          reason: "not this stack's",
          actual: {
            id: 'E1',
            foreign: 'tagged demo-b',
            settings: { apiOriginSecret: secret },
          } as DestroyPlan['resources'][number]['actual'],
        },
      ],
      retired: [{ key: 'listener', actual: { id: 'arn:old-listener', originSecret: secret } }],
      leftovers: [],
      summary: { delete: 2, keep: 1, errors: 0 },
    };
    const text = destroyPlanJson(found);
    expect(text).not.toContain(secret);
    const document = JSON.parse(text);
    expect(document.resources.map((r: { actual?: unknown }) => r.actual)).toEqual([
      { id: 'arn:listener' },
      { id: 'E1', foreign: 'tagged demo-b' },
    ]);
    expect(document.retired).toEqual([{ key: 'listener', id: 'arn:old-listener' }]);
  });
});

describe('the account, region and profile of a run', () => {
  const scope = { account: '111122223333', partition: 'aws', region: 'eu-central-1', profile: 'dev' };
  const where = '(account 111122223333, region eu-central-1, profile dev)';
  const empty = { create: 0, update: 0, replace: 0, takeover: 0, noop: 0, leftover: 0, errors: 0 };

  it('are named in the first line of plan, plan --destroy and the run-started event, and in --json', () => {
    const planned: Plan = { stack: 'demo', scope, resources: [], leftovers: [], summary: empty };
    expect(renderPlan(planned, noColor, false).split('\n')[0]).toBe(`Plan for stack demo ${where}:`);
    expect(JSON.parse(planJson(planned)).scope).toEqual(scope);
    const found: DestroyPlan = {
      stack: 'demo',
      scope,
      resources: [],
      retired: [],
      leftovers: [],
      summary: { delete: 0, keep: 0, errors: 0 },
    };
    expect(renderDestroyPlan(found, noColor).split('\n')[0]).toBe(`Destroy stack demo ${where}:`);
    const started: EngineEvent = {
      code: 'run-started',
      time: '2026-11-25T21:50:03.000Z',
      level: 'info',
      command: 'up',
      stack: 'demo',
      resources: 3,
      scope,
    };
    const out: string[] = [];
    plainRenderer(
      { stdout: new Buffer(), stderr: { write: (t: string) => out.push(t) } },
      noColor,
      false,
    ).sink(started);
    expect(out.join('')).toContain(`up demo: 3 resources ${where}`);
  });

  it('say "default credentials" without a profile, and name a partition other than aws', () => {
    const planned: Plan = {
      stack: 'demo',
      scope: { account: '111122223333', partition: 'aws-cn', region: 'cn-north-1', profile: null },
      resources: [],
      leftovers: [],
      summary: empty,
    };
    expect(renderPlan(planned, noColor, false).split('\n')[0]).toBe(
      'Plan for stack demo (account 111122223333 (aws-cn), region cn-north-1, default credentials):',
    );
  });
});

describe('closing summaries', () => {
  const names = deriveNames(testConfig({ domain: 'example.com' }));
  const base: RunResult = {
    ok: true,
    interrupted: false,
    states: new Map(),
    actions: new Map(),
    failures: [],
    counts: { create: 17, noop: 2 },
    durationMs: 62_000,
    awsCalls: 190,
    changingCalls: 26,
    outputs: new Map([['distribution', { id: 'E1', domainName: 'd111.cloudfront.net' }]]),
    pending: [],
  };

  it('gives the URLs, the counts, the wall time and the AWS calls after up', () => {
    expect(upSummary(base, names, noColor).split('\n')).toEqual([
      '',
      'The stack is up.',
      '  https://example.com/',
      '  https://www.example.com/',
      '  CloudFront: https://d111.cloudfront.net/',
      '  Origin: https://origin.example.com/ (CloudFront only)',
      '17 created, 2 in sync in 1m02s; 190 AWS calls (26 changing)',
      '',
    ]);
  });

  it('says what --no-wait did not wait for, and what failed with its hint', () => {
    expect(upSummary({ ...base, pending: ['distribution'] }, names, noColor)).toContain(
      'Not waited for (--no-wait): distribution',
    );
    const failed = upSummary(
      {
        ...base,
        ok: false,
        failures: [
          { key: 'zone', failure: { message: 'no hosted zone', hint: 'create one', userError: true } },
        ],
      },
      names,
      noColor,
    );
    expect(failed).toContain('  ✗ zone: no hosted zone\n      → create one\n');
    expect(failed).not.toContain('https://');
  });

  it('tells how to finish after an interrupted or pending destroy', () => {
    expect(destroySummary({ ...base, interrupted: true, ok: false }, 'demo', noColor)).toContain(
      'run `tekamolo destroy` again to finish',
    );
    expect(destroySummary({ ...base, pending: ['distribution'] }, 'demo', noColor)).toContain(
      'Started deleting distribution',
    );
    expect(destroySummary(base, 'demo', noColor)).toContain('Stack demo is destroyed.');
  });
});

describe('plan renderer on a terminal', () => {
  const long: Plan = {
    ...plan,
    resources: plan.resources.map((r) =>
      r.key === 'network' ? { ...r, error: `reading VPC: ${'AccessDenied '.repeat(12)}`.trim() } : r,
    ),
  };

  it.each([80, 60])(
    'fits every line in %i columns, colours included, each resource still named',
    (columns) => {
      const text = renderPlan(long, colors(true), false, columns);
      for (const line of text.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(columns - 1);
      for (const key of ['bucket', 'listener', 'targetGroup', 'dnsAlias', 'network']) {
        expect(text).toMatch(new RegExp(`^ {2}\\S+.* ${key} `, 'm'));
      }
      expect(text).toContain('…');
    },
  );

  it('keeps whole lines when piped (no width)', () => {
    expect(renderPlan(long, noColor, false)).toContain('AccessDenied '.repeat(11));
  });
});
