import { type CertificateDetail, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { GLOBAL_REGION } from '../../aws/clients.js';
import { orUndefined } from '../../aws/errors.js';
import type { Config } from '../../config/schema.js';
import type { ResourceContext } from '../../engine/contract.js';
import type { ValidationRecord } from '../outputs.js';
import { normalizeName } from '../route53/records.js';

/** Reading ACM certificates, shared by the certificate and validation handlers. */

/** CloudFront only accepts certificates from us-east-1; there the ALB can share the CloudFront one. */
export function originCertificateEnabled(config: Config): boolean {
  return config.region !== GLOBAL_REGION;
}

/** arn:aws:acm:<region>:<account>:certificate/<id> */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region || undefined;
}

export interface CertificateInfo {
  arn: string;
  region: string;
  /** Every name on the certificate (the domain name and the SANs), sorted, lower case. */
  domainNames: string[];
  status: string;
  notAfter?: string;
  inUseBy: string[];
  failureReason?: string;
  /** The DNS-validation CNAMEs ACM has published so far, de-duplicated. */
  validationRecords: ValidationRecord[];
  /** Names whose validation record ACM has not published yet (a few seconds after the request). */
  recordsMissingFor: string[];
}

export function sortedNames(names: Iterable<string>): string[] {
  return [...new Set([...names].map(normalizeName))].sort();
}

/** One record per name and type: a name and its wildcard, or the same name on two certificates, share one. */
export function dedupeRecords(records: ValidationRecord[]): ValidationRecord[] {
  const byKey = new Map<string, ValidationRecord>();
  for (const r of records) {
    const record = { name: normalizeName(r.name), type: r.type, value: normalizeName(r.value) };
    const key = `${record.name}|${record.type}`;
    if (!byKey.has(key)) byKey.set(key, record);
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function certificateInfo(detail: CertificateDetail, region: string): CertificateInfo {
  const records: ValidationRecord[] = [];
  const withRecord = new Set<string>();
  for (const option of detail.DomainValidationOptions ?? []) {
    const rr = option.ResourceRecord;
    if (!rr?.Name || !rr.Type || !rr.Value) continue;
    records.push({ name: rr.Name, type: rr.Type, value: rr.Value });
    if (option.DomainName) withRecord.add(normalizeName(option.DomainName));
  }
  const domainNames = sortedNames([
    ...(detail.DomainName ? [detail.DomainName] : []),
    ...(detail.SubjectAlternativeNames ?? []),
  ]);
  const info: CertificateInfo = {
    arn: detail.CertificateArn ?? '',
    region,
    domainNames,
    status: detail.Status ?? 'UNKNOWN',
    inUseBy: detail.InUseBy ?? [],
    validationRecords: dedupeRecords(records),
    // For a few seconds after RequestCertificate ACM answers with an empty or partial
    // DomainValidationOptions: every name of the certificate must have its own record.
    recordsMissingFor: domainNames.filter((name) => !withRecord.has(name)),
  };
  if (detail.NotAfter) info.notAfter = detail.NotAfter.toISOString();
  if (detail.FailureReason) info.failureReason = detail.FailureReason;
  return info;
}

/** DescribeCertificate; a certificate that is gone (or a malformed ARN) is undefined. */
export async function readCertificate(
  ctx: ResourceContext,
  arn: string,
  region = regionOfArn(arn) ?? ctx.config.region,
): Promise<CertificateInfo | undefined> {
  const response = await orUndefined(
    ctx.aws.acm(region).send(new DescribeCertificateCommand({ CertificateArn: arn })),
  );
  return response?.Certificate ? certificateInfo(response.Certificate, region) : undefined;
}

export function formatRecord(record: ValidationRecord): string {
  return `${record.name} ${record.type} ${record.value}`;
}
