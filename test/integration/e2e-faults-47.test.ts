import { badNetworkDay } from '../support/bad-network-day.js';

// The third seed of e2e-faults.test.ts, in a file of its own so that two workers share the seeds.
badNetworkDay([47]);
