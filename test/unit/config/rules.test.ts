import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cidrProblem, ipv4Bits, ipv6Bits } from '../../../src/config/cidr.js';
import {
  bucketName,
  cloudFrontPath,
  hostname,
  isArmInstanceType,
  stackName,
} from '../../../src/config/rules.js';
import { closest, editDistance } from '../../../src/config/suggest.js';

describe('CIDR rule', () => {
  it.each([
    '0.0.0.0/0',
    '203.0.113.10/32',
    '10.0.0.0/8',
    '2001:db8::/32',
    '::/0',
    '2001:db8::1/128',
    '::ffff:192.0.2.0/120',
  ])('accepts %s', (cidr) => {
    expect(cidrProblem(cidr)).toBeUndefined();
  });

  it.each([
    ['203.0.113.10/24', '203.0.113.0/24'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['2001:db8::1/64', '2001:db8::/64'],
    ['2001:db8:1:2:3:4:5:6/48', '2001:db8:1::/48'],
    ['203.0.113.10', '203.0.113.10/32'],
    ['2001:db8::5', '2001:db8::5/128'],
  ])('rejects %s and suggests %s', (cidr, suggestion) => {
    expect(cidrProblem(cidr)?.suggestion).toBe(suggestion);
  });

  it.each([
    'bad',
    '203.0.113.300/32',
    '203.0.113.10/33',
    '2001:db8::/129',
    '203.0.113.10/',
    '/24',
    '1.2.3.4/-1',
  ])('rejects %s without a guess', (cidr) => {
    const problem = cidrProblem(cidr);
    expect(problem?.expected).toMatch(/CIDR/);
    expect(problem?.suggestion).toBeUndefined();
  });
});

describe('address parsing', () => {
  // Same answers as node:net, which the config code avoids for its load time; zone ids (%eth0) are
  // left out on purpose: a security group rule cannot carry one.
  it.each([
    '1.2.3.4',
    '255.255.255.255',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3',
    '1.2.3.4.5',
    '0.0.0.0',
    '::',
    '::1',
    '1::',
    '2001:db8::1',
    '2001:DB8:0:0:0:0:0:1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::',
    '::1:2:3:4:5:6:7',
    '1::2::3',
    '::ffff:192.0.2.1',
    '1:2:3:4:5:6:1.2.3.4',
    '1:2:3:4:5:6:7:1.2.3.4',
    '12345::',
    'g::',
    ':1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8:',
    '::1.2.3.4',
    '1.2.3.4::',
    '',
    ':',
    ':::',
    '1:2:3:4:5:6:7::8',
  ])('%j is read as node:net reads it', (address) => {
    expect(ipv4Bits(address) !== undefined).toBe(isIPv4(address));
    expect(ipv6Bits(address) !== undefined).toBe(isIPv6(address));
  });

  it('reads the bits of both families', () => {
    expect(ipv4Bits('192.0.2.1')).toBe('11000000000000000000001000000001');
    expect(ipv6Bits('::ffff:192.0.2.1')?.slice(80)).toBe(`${'1'.repeat(16)}11000000000000000000001000000001`);
  });
});

describe('bucket name rule (S3 general purpose buckets)', () => {
  it.each(['abc', 'tekamolo-info-site', 'a'.repeat(63), 'my.site.bucket', '1bucket'])(
    'accepts %s',
    (name) => {
      expect(bucketName(name)).toBeUndefined();
    },
  );
  it.each([
    ['ab', /3–63/],
    ['a'.repeat(64), /3–63/],
    ['-bucket', /starting and ending/],
    ['bucket-', /starting and ending/],
    ['my_bucket', /a-z, 0-9/],
    ['my..bucket', /two adjacent dots/],
    ['192.168.1.1', /IP address/],
    ['xn--bucket', /"xn--"/],
    ['sthree-bucket', /"sthree-"/],
    ['bucket-s3alias', /"-s3alias"/],
    ['bucket--ol-s3', /"--ol-s3"/],
    ['amzn-s3-demo-bucket', /"amzn-s3-demo-"/],
    ['bucket.mrap', /".mrap"/],
    ['bucket--x-s3', /"--x-s3"/],
  ])('rejects %s', (name, reason) => {
    expect(bucketName(name)?.expected).toMatch(reason);
  });
});

describe('domain name rule', () => {
  it.each(['example.com', 'a.b.example.co.uk', 'xn--bcher-kva.example', `${'a'.repeat(63)}.com`])(
    'accepts %s',
    (name) => {
      expect(hostname(name)).toBeUndefined();
    },
  );
  it.each([
    'localhost',
    'example_site.com',
    '-a.com',
    'a-.com',
    'example.123',
    `${'a'.repeat(64)}.com`,
    '*.example.com',
    'a..com',
  ])('rejects %s', (name) => {
    expect(hostname(name)).toBeDefined();
  });
  it('suggests the lower-case name without the trailing dot', () => {
    expect(hostname('Example.COM.')?.suggestion).toBe('example.com');
  });
});

describe('stack name rule', () => {
  it.each(['a', 'demo', 'web-2', 'x'.repeat(20), 'internals'])('accepts %s', (name) => {
    expect(stackName(name)).toBeUndefined();
  });
  it.each(['', 'x'.repeat(21), '-demo', 'demo-', 'Demo', 'my_stack', 'internal', 'internal-web'])(
    'rejects %j',
    (name) => {
      expect(stackName(name)).toBeDefined();
    },
  );
});

describe('CloudFront path pattern rule', () => {
  it.each(['/api/*', '/v1/*.json', '/images/*', "/a_b-c.d~e$f'g@h:i+j&k"])('accepts %s', (path) => {
    expect(cloudFrontPath(path)).toBeUndefined();
  });
  it.each(['/*', '*', 'api/*', '/api/?', '/api /*', `/${'a'.repeat(255)}`])('rejects %s', (path) => {
    expect(cloudFrontPath(path)).toBeDefined();
  });
});

describe('instance architecture', () => {
  it.each(['t4g.small', 'm7g.large', 'c7gn.xlarge', 'r8g.medium', 'x2gd.large', 'g5g.xlarge', 'a1.large'])(
    '%s is arm64',
    (t) => {
      expect(isArmInstanceType(t)).toBe(true);
    },
  );
  it.each(['t3.small', 'm7i.large', 'g4dn.xlarge', 'c6in.large', 'p4d.24xlarge', 'mac2.metal'])(
    '%s is x86_64',
    (t) => {
      expect(isArmInstanceType(t)).toBe(false);
    },
  );
});

describe('suggestions', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('stakc', 'stack')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('finds the closest key, ignoring case, and nothing when none is close', () => {
    const keys = ['instanceType', 'ami', 'port', 'healthCheckPath', 'userData'];
    expect(closest('instnceType', keys)).toBe('instanceType');
    expect(closest('InstanceType', keys)).toBe('instanceType');
    expect(closest('prot', keys)).toBe('port');
    expect(closest('colour', keys)).toBeUndefined();
  });
});
