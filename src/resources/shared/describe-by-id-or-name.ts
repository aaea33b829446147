import { orUndefined } from '../../aws/errors.js';

/**
 * The first item of a describe call's list. The describe calls that take ids or names
 * (DescribeTargetGroups, DescribeLoadBalancers, DescribeLaunchTemplates) answer a missing one with
 * a not-found error rather than an empty list: that is no item; any other error is thrown.
 */
export async function firstFound<Response, Item>(
  call: Promise<Response>,
  list: (response: Response) => Item[] | undefined,
): Promise<Item | undefined> {
  const response = await orUndefined(call);
  return response && list(response)?.[0];
}

/**
 * `find` by the id saved in state, else by the deterministic name, so that a lost or stale state
 * file is harmless.
 */
export async function describeByIdOrName<Request, Item>(
  describe: (request: Request) => Promise<Item | undefined>,
  byId: Request | undefined,
  byName: Request,
): Promise<Item | undefined> {
  return (byId && (await describe(byId))) || describe(byName);
}
