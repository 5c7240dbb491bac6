/** Case codes live in src/flow/case-code.ts; this re-export is kept for existing imports. */
export { mintCaseCode } from './flow/case-code.js';
