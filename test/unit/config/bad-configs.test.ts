import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { Tracer } from '../../../src/aws/trace.js';
import { run } from '../../../src/cli/commands/validate.js';
import { processIo } from '../../../src/cli/io.js';
import type { GlobalOptions } from '../../../src/cli/options.js';
import { ExitCode } from '../../../src/errors.js';

/**
 * The corpus of broken configs under test/fixtures/config/bad: each must fail `tekamolo validate` with
 * exit 2 and exactly these messages (file:line:col  path: found …, expected …), in file order.
 */
const BAD = 'test/fixtures/config/bad';

const cases: Record<string, string[]> = {
  'unknown-key.yaml': [
    '4:1  colour: found unknown key "colour", expected one of $schema, stack, region, domain, aliases, dns, frontend, backend, cdn, waits, state, tags, stages',
  ],
  'misspelt-key.yaml': [
    '5:3  backend.instnceType: found unknown key "instnceType"; did you mean "instanceType"?',
  ],
  'key-in-wrong-mapping.yaml': ['4:1  port: found unknown key "port"; did you mean backend.port?'],
  'wrong-type.yaml': ['5:9  backend.port: found "eighty", expected a number'],
  'number-where-text.yaml': ['5:16  tags.cost-center: found 4711, expected text; did you mean "4711"?'],
  'boolean-as-yes.yaml': ['5:14  backend.elasticIp: found "yes", expected true or false; did you mean true?'],
  'missing-required.yaml': [
    '2:1  domain: missing required field "domain" (the apex domain the site is served on)',
  ],
  'missing-nested-field.yaml': ['6:7  frontend.cacheControl[0].value: missing required field "value"'],
  'bad-cidr.yaml': [
    '5:31  backend.sshCidrs[1]: found "203.0.113.300/32", expected an IPv4 or IPv6 CIDR such as 203.0.113.10/32 or 2001:db8::/64',
  ],
  'cidr-host-bits.yaml': [
    '6:7  backend.sshCidrs[0]: found "203.0.113.10/24", expected a CIDR whose host bits are zero; did you mean "203.0.113.0/24"?',
    '7:7  backend.sshCidrs[1]: found "2001:db8::1/64", expected a CIDR whose host bits are zero; did you mean "2001:db8::/64"?',
  ],
  'duplicate-cidr.yaml': [
    '5:31  backend.sshCidrs[1]: found "203.0.113.10/32" a second time, expected each CIDR once (EC2 rejects a duplicate rule)',
  ],
  'min-above-max.yaml': ['6:10  backend.scaling.min: found 5, expected at most max (3)'],
  'desired-above-default-max.yaml': [
    '5:23  backend.scaling.desired: found 6, expected at most max (4, the default)',
  ],
  'malformed-yaml.yaml': ['6:1  malformed YAML: Missing closing "quote'],
  'duplicate-key.yaml': ['4:1  malformed YAML: Map keys must be unique'],
  'missing-user-data.yaml': [
    `5:13  backend.userData: found "./scripts/missing.sh", expected an existing file (nothing at ${process.cwd()}/${BAD}/scripts/missing.sh)`,
  ],
  'empty.yaml': ['1:1  the file is empty, expected a mapping with at least stack, region and domain'],
  'only-comments.yaml': ['1:1  the file is empty, expected a mapping with at least stack, region and domain'],
  'not-a-mapping.yaml': ['1:1  found a list, expected a mapping with at least stack, region and domain'],
  'bad-stack-name.yaml': [
    '1:8  stack: found "My_Stack", expected 1–20 characters of a-z, 0-9 and "-", starting and ending with a letter or digit; did you mean "my-stack"?',
  ],
  'stack-too-long.yaml': [
    '1:8  stack: found "abcdefghij-klmnopqrst", expected 1–20 characters of a-z, 0-9 and "-", starting and ending with a letter or digit; did you mean "abcdefghij-klmnopqrs"?',
  ],
  'stack-internal.yaml': [
    '1:8  stack: found "internal-tools", expected a stack name that does not begin with "internal" (reserved by Elastic Load Balancing)',
  ],
  'stack-security-group-prefix.yaml': [
    '1:8  stack: found "sg-web", which makes the ALB security group name "sg-web-alb", expected a name that does not begin with "sg-" (reserved by EC2)',
  ],
  'stack-derived-bucket-prefix.yaml': [
    '1:8  stack: found "xn--shop", which makes the bucket name "xn--shop-site-<account id>", expected a bucket name that does not begin with "xn--" (reserved by S3); or set frontend.bucket',
  ],
  'alias-not-under-domain.yaml': [
    '6:5  aliases[1]: found "www.example.org", expected a name under example.com, such as www.example.com',
    '7:5  aliases[2]: found "example.com", expected a subdomain of example.com (the domain itself is always served)',
    '8:5  aliases[3]: found "origin.example.com", expected a name other than origin.example.com, which is how CloudFront reaches the load balancer (dns.originName)',
  ],
  'unknown-region.yaml': [
    '2:9  region: found "eu-centrl-1", expected a region of the commercial AWS partition, such as eu-central-1; did you mean "eu-central-1"?',
  ],
  'bad-domain.yaml': [
    '3:9  domain: found "example_site.com", expected a domain name such as example.com: labels of a-z, 0-9 and "-", separated by dots',
  ],
  'api-path-default.yaml': [
    '5:12  cdn.apiPath: found "/*", expected a narrower path pattern than "/*", which is the default behavior (the bucket)',
  ],
  'api-path-without-slash.yaml': [
    '5:12  cdn.apiPath: found "api/*", expected a CloudFront path pattern of at most 255 characters that starts with "/" and uses only A-Z a-z 0-9 _ - . * $ / ~ " \' @ : + &, such as /api/*; did you mean "/api/*"?',
  ],
  'bucket-ip-address.yaml': [
    '5:11  frontend.bucket: found "192.168.5.4", expected a bucket name that is not an IP address',
  ],
  'bucket-reserved-prefix.yaml': [
    '5:11  frontend.bucket: found "amzn-s3-demo-site", expected a bucket name that does not begin with "amzn-s3-demo-" (reserved by S3)',
  ],
  'bucket-reserved-suffix.yaml': [
    '5:11  frontend.bucket: found "site.mrap", expected a bucket name that does not end with ".mrap" (reserved by S3)',
  ],
  'bucket-upper-case.yaml': [
    '5:11  frontend.bucket: found "Example-Site", expected 3–63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit; did you mean "example-site"?',
  ],
  'bad-port.yaml': ['5:9  backend.port: found 70000, expected a number ≤ 65535'],
  'bad-enum.yaml': [
    '5:12  frontend.routing: found "SPA", expected one of "spa", "static", "none"; did you mean "spa"?',
    '7:15  cdn.priceClass: found "PriceClass100", expected one of "PriceClass_100", "PriceClass_200", "PriceClass_All"; did you mean "PriceClass_100"?',
  ],
  'bad-hosted-zone-id.yaml': [
    '5:17  dns.hostedZoneId: found "z0123456789abc", expected a Route 53 hosted zone id such as Z0123456789ABC (upper-case letters and digits); did you mean "Z0123456789ABC"?',
  ],
  'bad-ami.yaml': [
    '5:8  backend.ami: found "ubuntu-22.04", expected an AMI id (ami-0123456789abcdef0) or ssm:/<parameter name>',
    '6:17  backend.instanceType: found "large", expected an EC2 instance type such as t3.small',
  ],
  'arm-type-x86-image.yaml': [
    '5:17  backend.instanceType: found "t4g.small", an arm64 type, with an x86_64 image, expected an x86_64 instance type; did you mean backend.ami "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"?',
  ],
  'reserved-tags.yaml': [
    '6:3  tags["aws:owner"]: found tag key "aws:owner", expected a tag key that does not begin with "aws:" (reserved by AWS)',
    '7:3  tags["tekamolo:stack"]: found tag key "tekamolo:stack", expected a tag key that does not begin with "tekamolo:" (tekamolo sets those)',
  ],
  'zero-wait.yaml': [
    '5:16  waits.pollSeconds: found 0, expected a number > 0',
    '6:23  waits.certificateMinutes: found -5, expected a number > 0',
  ],
  'wait-beyond-timer.yaml': [
    "5:16  waits.pollSeconds: found 3000000, expected a number of seconds ≤ 2147483 (the longest delay Node's timers can hold, about 24 days)",
    "6:24  waits.distributionMinutes: found 40000, expected a number of minutes ≤ 35791 (the longest delay Node's timers can hold, about 24 days)",
  ],
  'alias-bomb.yaml': [
    '7:10  malformed YAML: aliases here expand to more than 1000 values (aliases of aliases multiply); write the values out instead',
  ],
  'several-errors.yaml': [
    '1:8  stack: found "Demo", expected 1–20 characters of a-z, 0-9 and "-", starting and ending with a letter or digit; did you mean "demo"?',
    '4:11  aliases[0]: found "www.example.net", expected a name under example.com, such as www.example.com',
    '6:9  backend.port: found 0, expected a number ≥ 1',
    '7:31  backend.scaling.desired: found 2, expected at least min (3)',
    '8:25  backend.sshCidrs[1]: found "10.1.2.3/8", expected a CIDR whose host bits are zero; did you mean "10.0.0.0/8"?',
    '9:3  backend.elasticIP: found unknown key "elasticIP"; did you mean "elasticIp"?',
    '11:12  cdn.apiPath: found "/*", expected a narrower path pattern than "/*", which is the default behavior (the bucket)',
  ],
};

const globals = (config: string, json = false): GlobalOptions => ({
  config,
  json,
  yes: false,
  verbose: false,
  color: false,
  io: processIo(),
});

describe('validate: the corpus of bad configs', () => {
  let stderr: MockInstance<typeof process.stderr.write>;
  let stdout: MockInstance<typeof process.stdout.write>;
  beforeEach(() => {
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const written = (spy: MockInstance<typeof process.stderr.write>) =>
    spy.mock.calls.map((c) => String(c[0])).join('');

  it('has at least 20 broken configs, each with its expected messages', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(BAD)).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toEqual(Object.keys(cases).sort());
  });

  it.each(Object.entries(cases))(
    '%s: exit 2 with every issue at its line and column',
    async (name, expected) => {
      const file = `${BAD}/${name}`;
      const code = await run(globals(file), {}, new Tracer());
      expect(code).toBe(ExitCode.badInput);
      const count = expected.length === 1 ? '1 problem' : `${expected.length} problems`;
      expect(written(stderr)).toBe(
        `${expected.map((line) => `${file}:${line}`).join('\n')}\n✗ ${file}: ${count}\n`,
      );
      expect(stdout).not.toHaveBeenCalled();
    },
  );

  it('--json prints one document with the same issues on stdout', async () => {
    const file = `${BAD}/several-errors.yaml`;
    const code = await run(globals(file, true), {}, new Tracer());
    expect(code).toBe(ExitCode.badInput);
    const document = JSON.parse(written(stdout)) as {
      ok: boolean;
      file: string;
      issues: { line: number; column: number; path: string; message: string; suggestion?: string }[];
    };
    expect(document.ok).toBe(false);
    expect(document.file).toBe(`${process.cwd()}/${file}`);
    expect(document.issues.map((i) => `${i.line}:${i.column}  ${i.path}: ${i.message}`)).toEqual(
      cases['several-errors.yaml'],
    );
    expect(document.issues.find((i) => i.path === 'backend.elasticIP')?.suggestion).toBe('elasticIp');
  });

  it('a missing file is exit 2 with where it looked', async () => {
    const code = await run(globals(`${BAD}/no-such-file.yaml`), {}, new Tracer());
    expect(code).toBe(ExitCode.badInput);
    expect(written(stderr)).toContain(
      `${BAD}/no-such-file.yaml  config file not found (looked for ${process.cwd()}/${BAD}/no-such-file.yaml)`,
    );
  });
});
