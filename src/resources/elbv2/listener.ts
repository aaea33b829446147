import { randomBytes } from 'node:crypto';
import {
  type Action,
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import * as z from 'zod/mini';
import { errorName, hasErrorName, isNotFound, orUndefined, retryOn } from '../../aws/errors.js';
import {
  type Actual,
  type Change,
  fieldChange,
  isUnknown,
  known,
  knownValue,
  type Ownership,
  outputField,
  type Resource,
  type ResourceContext,
  tagList,
  type Unknown,
} from '../../engine/contract.js';
import { WorkError } from '../../errors.js';
import type { ListenerOutputs } from '../outputs.js';
import { retryUntilVisible } from '../shared/retry-while.js';
import { savedState } from '../shared/saved-state.js';

export interface ListenerDesired {
  loadBalancerArn: string | Unknown;
  port: number;
  protocol: 'HTTPS';
  certificateArn: string | Unknown;
  sslPolicy: string;
  defaultAction: string;
  targetGroupArn: string | Unknown;
  headerName: string;
  secret: string;
  /** The secret came from state; when false it was generated now and a secret found on the rule wins. */
  secretSaved: boolean;
}

export interface ForwardRule {
  arn: string;
  priority: string;
  targetGroupArn?: string | null;
  /** How many values the header condition accepts: exactly 1 (the secret) is right. */
  headerValues?: number;
  headerName?: string;
  secret?: string;
}

export interface ActualListener extends Actual {
  arn: string;
  loadBalancerArn?: string;
  port?: number;
  protocol?: string;
  certificateArn?: string;
  sslPolicy?: string;
  defaultAction?: string;
  /** Our forwarding rule (priority 1); null when it is missing. */
  rule: ForwardRule | null;
  /** Rules that are not ours: any of them could bypass the origin header check. */
  extraRules: ForwardRule[];
}

export const HTTPS_PORT = 443;
/** TLS 1.3 with TLS 1.2 fallback and forward-secret ciphers only. */
export const SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
export const ORIGIN_HEADER = 'X-Origin-Verify';
const RULE_PRIORITY = '1';
const CREATE_ATTEMPTS = 6;
const DENY = 'fixed-response:403';
const SENSITIVE = '(sensitive)';

const denyAction: Action = {
  Type: 'fixed-response',
  FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' },
};

export function generateSecret(): string {
  // base64url: no '*' or '?', which ELB header conditions treat as wildcards.
  return randomBytes(32).toString('base64url');
}

function headerCondition(name: string, secret: string): RuleCondition[] {
  return [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: name, Values: [secret] } }];
}

function forwardTo(targetGroupArn: string): Action[] {
  return [{ Type: 'forward', TargetGroupArn: targetGroupArn }];
}

function actionSummary(actions: Action[] | undefined): string | undefined {
  const action = actions?.[0];
  if (!action?.Type) return undefined;
  const code = action.FixedResponseConfig?.StatusCode;
  return code ? `${action.Type}:${code}` : action.Type;
}

function toRule(rule: Rule): ForwardRule {
  const header = rule.Conditions?.find((c) => c.Field === 'http-header')?.HttpHeaderConfig;
  const action = rule.Actions?.find((a) => a.Type === 'forward');
  const result: ForwardRule = { arn: rule.RuleArn ?? '', priority: rule.Priority ?? '' };
  const targetGroupArn = action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
  // null, not undefined: a rule that no longer forwards, or no longer checks the header, was read
  // and is wrong, not unknown.
  result.targetGroupArn = targetGroupArn ?? null;
  result.headerValues = header?.Values?.length ?? 0;
  if (header?.HttpHeaderName) result.headerName = header.HttpHeaderName;
  // More than one accepted value (a '*' added by hand) would let requests without the secret through.
  if (header?.Values?.length === 1 && header.Values[0]) result.secret = header.Values[0];
  return result;
}

async function readRules(ctx: ResourceContext, listenerArn: string): Promise<Rule[]> {
  const result = await orUndefined(
    ctx.aws.elbv2().send(new DescribeRulesCommand({ ListenerArn: listenerArn })),
  );
  return (result?.Rules ?? []).filter((r) => !r.IsDefault);
}

async function toActual(ctx: ResourceContext, listener: Listener): Promise<ActualListener> {
  const arn = listener.ListenerArn ?? '';
  const rules = (await readRules(ctx, arn)).map(toRule);
  return {
    id: arn,
    arn,
    loadBalancerArn: listener.LoadBalancerArn,
    port: listener.Port,
    protocol: listener.Protocol,
    certificateArn: listener.Certificates?.[0]?.CertificateArn,
    sslPolicy: listener.SslPolicy,
    defaultAction: actionSummary(listener.DefaultActions),
    rule: rules.find((r) => r.priority === RULE_PRIORITY) ?? null,
    extraRules: rules.filter((r) => r.priority !== RULE_PRIORITY),
  };
}

/** What the listener's state entry records. */
const savedShape = z.object({ arn: z.optional(z.string()), originSecret: z.optional(z.string()) });

function savedSecret(ctx: ResourceContext): string | undefined {
  return savedState(ctx, savedShape).originSecret || undefined;
}

/** The secret to put on the rule: the saved one, else the one already on the rule, else the new one. */
function secretFor(desired: ListenerDesired, actual: ActualListener | undefined): string {
  if (desired.secretSaved) return desired.secret;
  return actual?.rule?.secret ?? desired.secret;
}

function ruleDiffers(changes: Change[]): boolean {
  return changes.some((c) => c.field === 'rule' || c.field.startsWith('rule.'));
}

function listenerDiffers(changes: Change[]): boolean {
  return changes.some((c) =>
    ['port', 'protocol', 'certificateArn', 'sslPolicy', 'defaultAction'].includes(c.field),
  );
}

function certificatePollMs(ctx: ResourceContext): number {
  return Math.max(ctx.config.waits.pollSeconds * 1000, 1);
}

/** Ours: at our priority, forwarding to our target group only when our header carries our secret. */
function isOurRule(rule: ForwardRule, desired: ListenerDesired, secret: string): boolean {
  return (
    rule.priority === RULE_PRIORITY &&
    rule.targetGroupArn === desired.targetGroupArn &&
    rule.headerValues === 1 &&
    rule.headerName?.toLowerCase() === desired.headerName.toLowerCase() &&
    rule.secret === secret
  );
}

async function createRule(
  ctx: ResourceContext,
  listenerArn: string,
  desired: ListenerDesired,
  secret: string,
): Promise<ForwardRule> {
  const targetGroupArn = knownValue(desired.targetGroupArn, 'the target group');
  try {
    // A target group or listener created seconds ago may not be visible to CreateRule yet.
    const created = await retryUntilVisible(
      ctx,
      [
        'TargetGroupNotFound',
        'TargetGroupNotFoundException',
        'ListenerNotFound',
        'ListenerNotFoundException',
      ],
      'target group or listener',
      () =>
        ctx.aws.elbv2().send(
          new CreateRuleCommand({
            ListenerArn: listenerArn,
            Priority: Number(RULE_PRIORITY),
            Conditions: headerCondition(desired.headerName, secret),
            Actions: forwardTo(targetGroupArn),
            Tags: tagList(ctx.tags),
          }),
        ),
    );
    return {
      arn: created.Rules?.[0]?.RuleArn ?? '',
      priority: RULE_PRIORITY,
      targetGroupArn,
      headerValues: 1,
      headerName: desired.headerName,
      secret,
    };
  } catch (error) {
    if (!hasErrorName(error, 'PriorityInUse', 'PriorityInUseException')) throw error;
    // A retry of a CreateRule whose answer was lost finds its own rule at the priority: done.
    const found = (await readRules(ctx, listenerArn)).map(toRule).find((r) => r.priority === RULE_PRIORITY);
    if (found && isOurRule(found, desired, secret)) return found;
    throw error;
  }
}

export const listener: Resource<ListenerDesired, ActualListener, ListenerOutputs> = {
  key: 'listener',
  title: 'HTTPS listener',
  dependsOn: ['loadBalancer', 'targetGroup', 'validation'],

  desired(ctx) {
    const saved = savedSecret(ctx);
    return {
      loadBalancerArn: outputField(ctx.output('loadBalancer'), 'arn'),
      port: HTTPS_PORT,
      protocol: 'HTTPS',
      certificateArn: outputField(ctx.output('validation'), 'originCertificateArn'),
      sslPolicy: SSL_POLICY,
      defaultAction: DENY,
      targetGroupArn: outputField(ctx.output('targetGroup'), 'arn'),
      headerName: ORIGIN_HEADER,
      secret: saved ?? generateSecret(),
      secretSaved: saved !== undefined,
    };
  },

  async find(ctx) {
    const elbv2 = ctx.aws.elbv2();
    const savedArn = savedState(ctx, savedShape).arn;
    if (savedArn) {
      const result = await orUndefined(
        elbv2.send(new DescribeListenersCommand({ ListenerArns: [savedArn] })),
      );
      const found = result?.Listeners?.[0];
      if (found) return toActual(ctx, found);
    }
    const lbArn = known(outputField(ctx.output('loadBalancer'), 'arn'));
    if (!lbArn) return undefined;
    const result = await orUndefined(elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })));
    const found = result?.Listeners?.find((l) => l.Port === HTTPS_PORT);
    return found ? toActual(ctx, found) : undefined;
  },

  // Found through the load balancer, or by the ARN in state: it must sit on our load balancer.
  ownership(ctx, actual) {
    const lbArn = known(outputField(ctx.output('loadBalancer'), 'arn'));
    const proof: Ownership = { through: ['loadBalancer'] };
    if (lbArn && actual.loadBalancerArn !== lbArn) {
      proof.notProved = `listener ${actual.arn} is on load balancer ${actual.loadBalancerArn ?? 'unknown'}, not ${lbArn}`;
    }
    return proof;
  },

  diff(desired, actual): Change[] {
    const changes: Change[] = [
      ...fieldChange('port', desired.port, actual.port),
      ...fieldChange('protocol', desired.protocol, actual.protocol),
      ...(isUnknown(desired.certificateArn)
        ? []
        : fieldChange('certificateArn', desired.certificateArn, actual.certificateArn)),
      ...fieldChange('sslPolicy', desired.sslPolicy, actual.sslPolicy),
      ...fieldChange('defaultAction', desired.defaultAction, actual.defaultAction),
    ];
    const rule = actual.rule;
    if (!rule) {
      changes.push({
        field: 'rule',
        from: null,
        to: `forward to the target group when ${desired.headerName} carries the secret`,
        action: 'update',
      });
    } else {
      // An unknown target group (plan, the group will be created or replaced) is a new ARN: the rule moves.
      changes.push(...fieldChange('rule.targetGroupArn', desired.targetGroupArn, rule.targetGroupArn));
      if (rule.headerValues !== undefined && rule.headerValues !== 1) {
        changes.push({
          field: 'rule.condition',
          from:
            rule.headerValues === 0 ? 'no origin-header condition' : `${rule.headerValues} accepted values`,
          to: `${desired.headerName} must carry the secret`,
          action: 'update',
          reason: 'the rule would forward requests that do not carry the secret',
        });
      }
      if (rule.headerName && rule.headerName.toLowerCase() !== desired.headerName.toLowerCase()) {
        changes.push({
          field: 'rule.headerName',
          from: rule.headerName,
          to: desired.headerName,
          action: 'update',
        });
      }
      if (rule.secret !== undefined && rule.secret !== secretFor(desired, actual)) {
        changes.push({ field: 'rule.secret', from: SENSITIVE, to: SENSITIVE, action: 'update' });
      }
    }
    if (actual.extraRules.length > 0) {
      changes.push({
        field: 'extraRules',
        from: actual.extraRules.map((r) => `priority ${r.priority}`),
        to: [],
        action: 'update',
        reason: 'only the origin-header rule may forward traffic',
      });
    }
    return changes;
  },

  async create(ctx, desired) {
    const loadBalancerArn = knownValue(desired.loadBalancerArn, 'the load balancer');
    const certificateArn = knownValue(desired.certificateArn, 'the certificate');
    // ELB may not see a certificate ACM issued seconds ago (CertificateNotFound) until ACM's regional
    // replication catches up, nor a load balancer created seconds ago (LoadBalancerNotFound).
    const created = await retryOn(
      [
        'CertificateNotFound',
        'CertificateNotFoundException',
        'LoadBalancerNotFound',
        'LoadBalancerNotFoundException',
      ],
      () =>
        ctx.aws.elbv2().send(
          new CreateListenerCommand({
            LoadBalancerArn: loadBalancerArn,
            Port: desired.port,
            Protocol: desired.protocol,
            SslPolicy: desired.sslPolicy,
            Certificates: [{ CertificateArn: certificateArn }],
            DefaultActions: [denyAction],
            Tags: tagList(ctx.tags),
          }),
        ),
      {
        attempts: CREATE_ATTEMPTS,
        delayMs: certificatePollMs(ctx),
        onRetry: (error, attempt) =>
          ctx.progress(
            `certificate or load balancer not visible yet (${errorName(error)}), retry ${attempt} of ${CREATE_ATTEMPTS - 1}`,
          ),
      },
    );
    const arn = created.Listeners?.[0]?.ListenerArn;
    if (!arn) throw new WorkError('CreateListener returned no listener');
    const secret = secretFor(desired, undefined);
    await ctx.record({ arn, originSecret: secret });
    const actual: ActualListener = {
      id: arn,
      arn,
      loadBalancerArn,
      port: desired.port,
      protocol: desired.protocol,
      certificateArn,
      sslPolicy: desired.sslPolicy,
      defaultAction: desired.defaultAction,
      rule: null,
      extraRules: [],
    };
    const withSecret = { ...desired, secret, secretSaved: true };
    return listener.update(ctx, withSecret, actual, listener.diff(withSecret, actual));
  },

  async update(ctx, desired, actual, changes) {
    const elbv2 = ctx.aws.elbv2();
    if (listenerDiffers(changes)) {
      await elbv2.send(
        new ModifyListenerCommand({
          ListenerArn: actual.arn,
          Port: desired.port,
          Protocol: desired.protocol,
          SslPolicy: desired.sslPolicy,
          Certificates: isUnknown(desired.certificateArn)
            ? undefined
            : [{ CertificateArn: desired.certificateArn }],
          DefaultActions: [denyAction],
        }),
      );
    }
    const secret = secretFor(desired, actual);
    let rule = actual.rule;
    if (!rule) {
      ctx.progress('adding the origin-header rule');
      rule = await createRule(ctx, actual.arn, desired, secret);
    } else if (ruleDiffers(changes)) {
      const targetGroupArn = knownValue(desired.targetGroupArn, 'the target group');
      await elbv2.send(
        new ModifyRuleCommand({
          RuleArn: rule.arn,
          Conditions: headerCondition(desired.headerName, secret),
          Actions: forwardTo(targetGroupArn),
        }),
      );
      rule = { ...rule, targetGroupArn, headerName: desired.headerName, secret };
    }
    for (const extra of actual.extraRules) {
      ctx.progress(`removing rule priority ${extra.priority}: only the origin-header rule may forward`);
      await orUndefined(elbv2.send(new DeleteRuleCommand({ RuleArn: extra.arn })));
    }
    if (savedSecret(ctx) !== secret) await ctx.record({ originSecret: secret });
    return {
      ...actual,
      port: desired.port,
      protocol: desired.protocol,
      certificateArn: known(desired.certificateArn) ?? actual.certificateArn,
      sslPolicy: desired.sslPolicy,
      defaultAction: desired.defaultAction,
      rule,
      extraRules: [],
    };
  },

  async delete(ctx, actual) {
    try {
      // Rules go with their listener.
      await ctx.aws.elbv2().send(new DeleteListenerCommand({ ListenerArn: actual.arn }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },

  outputs(actual) {
    return {
      arn: actual.arn,
      originHeaderName: actual.rule?.headerName ?? ORIGIN_HEADER,
      originSecret: actual.rule?.secret ?? '',
    };
  },

  describe(_ctx, actual) {
    const rule = actual.rule ? `forwards when ${actual.rule.headerName} matches` : 'NO forwarding rule';
    return `${actual.protocol ?? '?'}:${actual.port ?? '?'} ${actual.sslPolicy ?? ''}, ${actual.defaultAction ?? '?'} otherwise; ${rule}`;
  },

  async health(_ctx, actual) {
    if (!actual.rule)
      return { state: 'unhealthy', detail: 'the forwarding rule is missing: every request gets 403' };
    if (actual.extraRules.length > 0) {
      return { state: 'unhealthy', detail: `${actual.extraRules.length} rule(s) not made by tekamolo` };
    }
    return { state: 'ok' };
  },
};
