import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { colors } from '../../../../src/cli/render/colors.js';
import { statusDocument } from '../../../../src/cli/render/status-json.js';
import { renderStatus } from '../../../../src/cli/render/status-table.js';
import type { StatusReport } from '../../../../src/status/read.js';
import type { StatusRow } from '../../../../src/status/row.js';
import { shortId } from '../../../../src/status/short-id.js';
import { apiPrefix, countStates, countsLine } from '../../../../src/status/summary.js';

const c = colors(false);

function row(over: Partial<StatusRow> & Pick<StatusRow, 'key' | 'state'>): StatusRow {
  return {
    title: over.key,
    id: null,
    shortId: null,
    detail: null,
    health: null,
    changes: [],
    reason: null,
    error: null,
    hint: null,
    ...over,
  };
}

function report(rows: StatusRow[], over: Partial<StatusReport> = {}): StatusReport {
  const counts = countStates(rows);
  return {
    stack: 'demo',
    time: '2026-11-25T21:50:03.123Z',
    durationMs: 812,
    stateFile: { path: '/srv/site/.tekamolo/state.json', exists: true },
    rows,
    summary: {
      ok: rows.every((r) => r.state === 'ok'),
      counts,
      urls: {
        site: ['https://example.com/', 'https://www.example.com/'],
        api: 'https://example.com/api/',
        cloudfront: 'https://d111.cloudfront.net/',
      },
      nextSteps: rows.some((r) => r.state !== 'ok') ? ['run `tekamolo up`'] : [],
    },
    awsCalls: { total: 51, changing: 0 },
    ...over,
  };
}

const drifted = row({
  key: 'autoScalingGroup',
  state: 'drifted',
  id: 'demo-backend',
  shortId: 'demo-backend',
  detail: 'desired 2 (min 2, max 6), 2 InService, template v1',
  health: { state: 'ok', detail: '2/2 InService' },
  changes: [
    { field: 'min', from: 2, to: 1, action: 'update' },
    { field: 'max', from: 6, to: 4, action: 'update' },
  ],
});

describe('status table', () => {
  it('one row per resource with key, state, short id and detail; what is wrong under it', () => {
    const text = renderStatus(
      report([
        row({ key: 'zone', state: 'ok', id: 'Z1', shortId: 'Z1', detail: 'example.com (Z1)' }),
        drifted,
        row({
          key: 'targetGroup',
          state: 'unhealthy',
          id: 'arn:tg',
          shortId: 'demo-tg-8080',
          detail: 'demo-tg-8080 HTTP:8080, 1/2 targets healthy',
          health: { state: 'unhealthy', detail: '1/2 healthy; i-2 unhealthy: Target.Timeout' },
        }),
        row({ key: 'bucketPolicy', state: 'missing', reason: 'not looked up: bucket is missing' }),
        row({
          key: 'listener',
          state: 'foreign',
          id: 'arn:l',
          shortId: 'l',
          reason: 'not ours',
          detail: 'HTTPS:443',
        }),
        row({ key: 'distribution', state: 'error', error: 'reading CloudFront distribution: AccessDenied' }),
        row({
          key: 'listenerRule',
          state: 'drifted',
          changes: [{ field: 'originSecret', from: 'old', to: 'new', action: 'update' }],
        }),
      ]),
      c,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('Status of stack demo at 2026-11-25 21:50:03 UTC');
    expect(lines[1]).toBe('state file /srv/site/.tekamolo/state.json');
    const scope = { account: '111122223333', partition: 'aws', region: 'eu-central-1', profile: 'dev' };
    const scoped = report([], { scope });
    expect(renderStatus(scoped, c).split('\n')[0]).toBe(
      'Status of stack demo at 2026-11-25 21:50:03 UTC (account 111122223333, region eu-central-1, profile dev)',
    );
    expect(statusDocument(scoped).scope).toEqual(scope);
    expect(text).toMatch(/^ {2}KEY +STATE +ID +DETAIL$/m);
    expect(text).toMatch(/^ {2}zone +ok +Z1 +example\.com \(Z1\)$/m);
    expect(text).toMatch(/^ {2}autoScalingGroup +drifted +demo-backend +desired 2/m);
    expect(text).toMatch(/^ +min: 2 → 1$/m);
    expect(text).toMatch(/^ +max: 6 → 4$/m);
    expect(text).toMatch(/^ +1\/2 healthy; i-2 unhealthy: Target\.Timeout$/m);
    expect(text).toMatch(/^ {2}bucketPolicy +missing +- +not looked up: bucket is missing$/m);
    expect(text).toMatch(/^ +not ours$/m);
    expect(text).toMatch(/^ +reading CloudFront distribution: AccessDenied$/m);
    expect(text).toContain('originSecret: (sensitive)');
    expect(text).not.toContain('old');
    expect(text).not.toContain('2/2 InService');
    expect(text).toContain('  https://example.com/api/ (API)');
    expect(text).toContain('not all ok: 1 ok, 1 unhealthy, 2 drifted, 1 foreign, 1 missing, 1 error');
    expect(text).toContain('  → run `tekamolo up`');
    expect(text).toContain('read in 812ms; 51 AWS calls (0 changing)');
  });

  it.each([80, 60])('fits every line in %i columns, header and colours included', (columns) => {
    const error = row({
      key: 'distribution',
      state: 'error',
      error: `reading: ${'AccessDenied '.repeat(10)}`,
    });
    const deep = { path: `/srv/${'very-long-folder-name/'.repeat(5)}.tekamolo/state.json`, exists: true };
    const text = renderStatus(report([drifted, error], { stateFile: deep }), colors(true), false, columns);
    for (const line of text.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(columns - 1);
    expect(text).toMatch(/^ {2}autoScalingGroup +\S*drifted/m);
    expect(text).toMatch(/^ {2}distribution +\S*error/m);
  });

  it('on a terminal, cuts each table row to its width instead of wrapping it', () => {
    const rows = [
      drifted,
      row({ key: 'zone', state: 'ok', id: 'Z1', shortId: 'Z1', detail: 'x'.repeat(120) }),
    ];
    const narrow = renderStatus(report(rows), c, false, 60);
    const table = narrow.split('\n').filter((line) => /^ {2}(zone|autoScalingGroup) /.test(line));
    expect(table).toHaveLength(2);
    for (const line of table) expect(line.length).toBeLessThanOrEqual(59);
    expect(table.find((line) => line.includes('zone'))).toMatch(/x…$/);
    // Piped (no width): whole lines, for grep and logs.
    expect(renderStatus(report(rows), c)).toContain('x'.repeat(120));
  });

  it('says when there is no state file and that up adopts what was found', () => {
    const text = renderStatus(
      report([row({ key: 'zone', state: 'ok' })], { stateFile: { path: '/x/state.json', exists: false } }),
      c,
    );
    expect(text).toContain(
      'no state file at /x/state.json: resources were looked up by name and tag; `tekamolo up` adopts what was found',
    );
    expect(text).toContain('all ok: 1 ok');
    expect(text).not.toContain('Next steps');
  });

  it('--verbose also shows the health detail of rows that are ok', () => {
    const ok = row({
      key: 'asg',
      state: 'ok',
      detail: 'desired 2',
      health: { state: 'ok', detail: '2/2 InService' },
    });
    expect(renderStatus(report([ok]), c, false)).not.toContain('2/2 InService');
    expect(renderStatus(report([ok]), c, true)).toContain('2/2 InService');
  });
});

describe('status --json', () => {
  it('one document with the reading time, every row with stable keys, secrets redacted', () => {
    const doc = JSON.parse(
      JSON.stringify(
        statusDocument(
          report([
            drifted,
            row({
              key: 'listener',
              state: 'drifted',
              changes: [{ field: 'originSecret', from: 'old', to: 'new', action: 'update' }],
            }),
          ]),
        ),
      ),
    ) as Record<string, unknown> & { resources: StatusRow[] };
    expect(doc.command).toBe('status');
    expect(doc.time).toBe('2026-11-25T21:50:03.123Z');
    expect(doc.ok).toBe(false);
    expect(doc.resources[0]).toEqual(drifted);
    expect(doc.resources[1]?.changes).toEqual([
      { field: 'originSecret', from: '(sensitive)', to: '(sensitive)', action: 'update' },
    ]);
    expect(doc.summary).toMatchObject({ counts: { drifted: 2, ok: 0, error: 0 } });
  });
});

describe('status helpers', () => {
  it('short ids: the useful part of an ARN, cut to the column', () => {
    expect(
      shortId('arn:aws:acm:us-east-1:123456789012:certificate/26b2798e-1315-4756-8db9-cb80d2121e7a'),
    ).toBe('certificate/26b2798e…');
    expect(
      shortId(
        'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/a9211f5315eac18e',
      ),
    ).toBe('demo-tg-8080');
    expect(
      shortId(
        'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/demo-alb/f7a35b1b34416b69',
      ),
    ).toBe('demo-alb');
    expect(
      shortId(
        'arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/demo-alb/f7a35b1b34416b69/8d5e640fb30ea811',
      ),
    ).toBe('listener/8d5e640f');
    expect(shortId('sg-0123')).toBe('sg-0123');
    expect(shortId('eipalloc-429fd51dc99665e09aaaa')).toBe('eipalloc-429fd51dc99665…');
  });

  it('the API URL drops the wildcard; counts name only the states that occur', () => {
    expect(apiPrefix('/api/*')).toBe('/api/');
    expect(apiPrefix('/backend/v1*')).toBe('/backend/v1');
    const counts = countStates([{ state: 'ok' }, { state: 'ok' }, { state: 'missing' }]);
    expect(counts).toEqual({
      error: 0,
      missing: 1,
      foreign: 0,
      leftover: 0,
      drifted: 0,
      unhealthy: 0,
      pending: 0,
      ok: 2,
    });
    expect(countsLine(counts)).toBe('2 ok, 1 missing');
  });
});
