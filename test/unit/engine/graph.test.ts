import { describe, expect, it } from 'vitest';
import { buildGraph, reversed } from '../../../src/engine/graph.js';
import { walk } from '../../../src/engine/walk.js';
import { testConfig } from '../../support/context.js';
import { FakeCloud, fakeResource } from '../../support/fake-resources.js';

const config = testConfig();

describe('graph', () => {
  it('orders dependencies first and reverses for destroy', () => {
    const cloud = new FakeCloud();
    const graph = buildGraph(
      [
        fakeResource(cloud, { key: 'dns', dependsOn: ['cdn', 'zone'] }),
        fakeResource(cloud, { key: 'cdn', dependsOn: ['bucket'] }),
        fakeResource(cloud, { key: 'bucket' }),
        fakeResource(cloud, { key: 'zone' }),
      ],
      config,
    );
    expect(graph.order).toEqual(['bucket', 'cdn', 'zone', 'dns']);
    expect(graph.dependents.get('bucket')).toEqual(['cdn']);
    const back = reversed(graph);
    expect(back.order).toEqual(['dns', 'zone', 'cdn', 'bucket']);
    expect(back.deps.get('cdn')).toEqual(['dns']);
  });

  it('names a self-dependency, an unknown key and a duplicate key', () => {
    const cloud = new FakeCloud();
    expect(() => buildGraph([fakeResource(cloud, { key: 'a', dependsOn: ['a'] })], config)).toThrow(
      'dependency cycle: a → a',
    );
    expect(() => buildGraph([fakeResource(cloud, { key: 'a', dependsOn: ['nope'] })], config)).toThrow(
      'a depends on "nope", which is not a resource of the stack',
    );
    expect(() =>
      buildGraph([fakeResource(cloud, { key: 'a' }), fakeResource(cloud, { key: 'a' })], config),
    ).toThrow('two resources have the key "a"');
  });

  it('keeps a disabled resource when asked (destroy of what an older config created)', () => {
    const cloud = new FakeCloud();
    const resources = [
      fakeResource(cloud, { key: 'fn', enabled: false }),
      fakeResource(cloud, { key: 'cdn', dependsOn: ['fn'] }),
    ];
    expect(buildGraph(resources, config).order).toEqual(['cdn']);
    expect(buildGraph(resources, config).disabled.map((r) => r.key)).toEqual(['fn']);
    const kept = buildGraph(resources, config, new Set(['fn']));
    expect(kept.order).toEqual(['fn', 'cdn']);
    expect(kept.deps.get('cdn')).toEqual(['fn']);
  });
});

describe('walk', () => {
  it('never runs more nodes at once than the cap', async () => {
    let running = 0;
    let most = 0;
    const order = ['a', 'b', 'c', 'd', 'e', 'f'];
    const result = await walk({
      order,
      deps: new Map(order.map((k) => [k, []])),
      concurrency: 2,
      signal: new AbortController().signal,
      onSkip: () => {},
      async work() {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
    });
    expect(most).toBe(2);
    expect([...result.states.values()]).toEqual(Array(6).fill('done'));
  });

  it('lets dependents start once a node says it is ready, before it finishes', async () => {
    const log: string[] = [];
    let release = () => {};
    await walk({
      order: ['lb', 'listener'],
      deps: new Map([
        ['lb', []],
        ['listener', ['lb']],
      ]),
      concurrency: 4,
      signal: new AbortController().signal,
      onSkip: () => {},
      async work(node) {
        if (node.key === 'lb') {
          node.ready();
          node.waiting();
          await new Promise<void>((r) => {
            release = r;
          });
          log.push('lb done');
        } else {
          log.push('listener ran');
          release();
        }
      },
    });
    expect(log).toEqual(['listener ran', 'lb done']);
  });

  it('skips everything not started once aborted', async () => {
    const controller = new AbortController();
    const skipped: string[] = [];
    const result = await walk({
      order: ['a', 'b', 'c'],
      deps: new Map([
        ['a', []],
        ['b', ['a']],
        ['c', ['b']],
      ]),
      concurrency: 1,
      signal: controller.signal,
      onSkip: (key, reason) => skipped.push(`${key}: ${reason}`),
      async work() {
        controller.abort();
      },
    });
    expect(result.states.get('a')).toBe('done');
    expect(skipped).toEqual(['b: interrupted', 'c: b was skipped']);
  });
});

describe('walk with a dependency later in the order', () => {
  it('still skips every dependent of a failure', async () => {
    const skipped: string[] = [];
    const result = await walk({
      order: ['cert', 'validation', 'zone'],
      deps: new Map([
        ['cert', ['zone']],
        ['validation', ['cert']],
        ['zone', []],
      ]),
      concurrency: 4,
      signal: new AbortController().signal,
      onSkip: (key, reason) => skipped.push(`${key}: ${reason}`),
      async work(node) {
        if (node.key === 'zone') throw new Error('no hosted zone');
      },
    });
    expect(result.states.get('zone')).toBe('failed');
    expect(skipped).toEqual(['cert: zone failed', 'validation: cert was skipped']);
  });
});
