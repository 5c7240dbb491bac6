/** The capabilities a gateway loads, in order. */
import type { CapabilityFactory } from './capability.js';
import { broadcasts } from './broadcasts/capability.js';
import { incidents } from './incidents/index.js';

export const CAPABILITIES: CapabilityFactory[] = [
  broadcasts,
  incidents,
];
