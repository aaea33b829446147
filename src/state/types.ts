/** The state file (ARCHITECTURE §1 "State file"). */
export const STATE_VERSION = 1;

export interface AccountPin {
  id: string;
  partition: string;
}

/** One resource's entry: ids, ARNs and the attributes later steps need. JSON only. */
export type ResourceState = Record<string, unknown>;

export interface StateFile {
  version: number;
  stack: string;
  /** ISO time of the last write. */
  updatedAt: string;
  /**
   * The AWS account the stack lives in, recorded by the first `up`: a later run with credentials of
   * another account stops before any change (a state file is easily copied to where other credentials
   * are in use).
   */
  account?: AccountPin;
  resources: Record<string, ResourceState>;
  /** Resources replaced during an `up` and not deleted yet: deleted once their consumers moved. */
  retired?: { key: string; actual: ResourceState }[];
}
