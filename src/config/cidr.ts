import { isIPv4, isIPv6 } from 'node:net';
import type { Problem } from './rules.js';

/**
 * An IPv4 or IPv6 CIDR whose host bits are zero. EC2 stores a security group rule by its network
 * address, so "203.0.113.10/24" would come back as "203.0.113.0/24" and never look in sync.
 */
export function cidrProblem(value: string): Problem | undefined {
  const expected = 'an IPv4 or IPv6 CIDR such as 203.0.113.10/32 or 2001:db8::/64';
  const slash = value.indexOf('/');
  if (slash < 0) {
    if (isIPv4(value)) return { expected, suggestion: `${value}/32` };
    if (isIPv6(value)) return { expected, suggestion: `${value}/128` };
    return { expected };
  }
  const address = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return { expected };
  const prefix = Number(prefixText);
  const bits = isIPv4(address) ? ipv4Bits(address) : isIPv6(address) ? ipv6Bits(address) : undefined;
  if (bits === undefined || prefix > bits.length) return { expected };
  if (bits.slice(prefix).includes('1')) {
    const network = bits.slice(0, prefix).padEnd(bits.length, '0');
    const text = bits.length === 32 ? ipv4Text(network) : ipv6Text(network);
    return { expected: 'a CIDR whose host bits are zero', suggestion: `${text}/${prefix}` };
  }
  return undefined;
}

function ipv4Bits(address: string): string {
  return address
    .split('.')
    .map((part) => Number(part).toString(2).padStart(8, '0'))
    .join('');
}

function ipv4Text(bits: string): string {
  return [0, 8, 16, 24].map((i) => Number.parseInt(bits.slice(i, i + 8), 2)).join('.');
}

function ipv6Bits(address: string): string {
  let text = address;
  // An embedded IPv4 tail (::ffff:192.0.2.1) is two more 16-bit groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const b = ipv4Bits(v4[1]);
    const groups = [b.slice(0, 16), b.slice(16)].map((g) => Number.parseInt(g, 2).toString(16));
    text = `${text.slice(0, v4.index)}${groups.join(':')}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  return groups.map((g) => Number.parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

function ipv6Text(bits: string): string {
  const groups: string[] = [];
  for (let i = 0; i < 128; i += 16) groups.push(Number.parseInt(bits.slice(i, i + 16), 2).toString(16));
  // Shorten the longest run of zero groups to "::", as RFC 5952 asks.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  const left = groups.slice(0, best.start).join(':');
  const right = groups.slice(best.start + best.length).join(':');
  return `${left}::${right}`;
}
