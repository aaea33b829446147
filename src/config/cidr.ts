import type { Problem } from './rules.js';

/**
 * An IPv4 or IPv6 CIDR whose host bits are zero. EC2 stores a security group rule by its network
 * address, so "203.0.113.10/24" would come back as "203.0.113.0/24" and never look in sync.
 * Addresses are parsed here rather than with node:net, which costs more to load than this whole file.
 */
export function cidrProblem(value: string): Problem | undefined {
  const expected = 'an IPv4 or IPv6 CIDR such as 203.0.113.10/32 or 2001:db8::/64';
  const slash = value.indexOf('/');
  if (slash < 0) {
    if (ipv4Bits(value)) return { expected, suggestion: `${value}/32` };
    if (ipv6Bits(value)) return { expected, suggestion: `${value}/128` };
    return { expected };
  }
  const address = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return { expected };
  const prefix = Number(prefixText);
  const bits = ipv4Bits(address) ?? ipv6Bits(address);
  if (bits === undefined || prefix > bits.length) return { expected };
  if (bits.slice(prefix).includes('1')) {
    const network = bits.slice(0, prefix).padEnd(bits.length, '0');
    const text = bits.length === 32 ? ipv4Text(network) : ipv6Text(network);
    return { expected: 'a CIDR whose host bits are zero', suggestion: `${text}/${prefix}` };
  }
  return undefined;
}

/** The 32 bits of a dotted-quad address; undefined when it is not one (leading zeros are not). */
export function ipv4Bits(address: string): string | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let bits = '';
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bits += Number(part).toString(2).padStart(8, '0');
  }
  return bits;
}

/** The 128 bits of an IPv6 address (RFC 4291 text forms, with an IPv4 tail); undefined otherwise. */
export function ipv6Bits(address: string): string | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (text: string): string[] | undefined => {
    if (text === '') return [];
    const groups = text.split(':');
    const last = groups[groups.length - 1] ?? '';
    if (last.includes('.')) {
      const v4 = ipv4Bits(last);
      if (!v4) return undefined;
      groups.splice(
        -1,
        1,
        Number.parseInt(v4.slice(0, 16), 2).toString(16),
        Number.parseInt(v4.slice(16), 2).toString(16),
      );
    }
    return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups : undefined;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  // An IPv4 tail is only allowed at the very end.
  if (halves.length === 2 && (halves[0] ?? '').includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return groups.map((g) => Number.parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

function ipv4Text(bits: string): string {
  return [0, 8, 16, 24].map((i) => Number.parseInt(bits.slice(i, i + 8), 2)).join('.');
}

function ipv6Text(bits: string): string {
  const groups: string[] = [];
  for (let i = 0; i < 128; i += 16) groups.push(Number.parseInt(bits.slice(i, i + 16), 2).toString(16));
  // Shorten the longest run of two or more zero groups to "::", as RFC 5952 asks.
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
