/** The capabilities a gateway loads, in order. */
import type { CapabilityFactory } from './capability.js';

export const CAPABILITIES: CapabilityFactory[] = [];
