import { badNetworkDay } from '../support/bad-network-day.js';

// Two of the three seeds; the third runs from e2e-faults-47.test.ts, so that two workers share them.
badNetworkDay([11, 29]);
