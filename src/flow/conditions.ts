/**
 * Values and conditions of a flow, evaluated against the session results, the start parameters
 * and the contact. Structured data only: nothing is ever evaluated as code.
 */
import type { FlowComparison, FlowCondition, FlowValue } from './schema.js';

/** What values and conditions can read. */
export interface Scope {
  results: Readonly<Record<string, string>>;
  params: Readonly<Record<string, string>>;
  contact: { language: string | null; areaId: string | null; channel?: string | null; fields: Readonly<Record<string, string>> };
}

function own(record: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function subjectValue(subject: FlowComparison | Exclude<FlowValue, string | number | boolean>, scope: Scope): string | undefined {
  if ('result' in subject && subject.result !== undefined) return own(scope.results, subject.result);
  if ('param' in subject && subject.param !== undefined) return own(scope.params, subject.param);
  if ('field' in subject && subject.field !== undefined) return own(scope.contact.fields, subject.field);
  if ('contact' in subject && subject.contact !== undefined) {
    const property = { language: scope.contact.language, area: scope.contact.areaId, channel: scope.contact.channel ?? null }[subject.contact];
    return property ?? undefined;
  }
  return undefined;
}

/** A value as text; null when it reads something absent or empty and has no default. */
export function resolveValue(value: FlowValue, scope: Scope): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const found = subjectValue(value, scope);
  if (found !== undefined && found !== '') return found;
  return value.default ?? null;
}

function numeric(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function compare(comparison: FlowComparison, scope: Scope): boolean {
  const raw = subjectValue(comparison, scope);
  const value = raw === '' ? undefined : raw;
  if (comparison.exists !== undefined && (value !== undefined) !== comparison.exists) return false;
  if (comparison.equals !== undefined && value !== String(comparison.equals)) return false;
  if (comparison.notEquals !== undefined && value === String(comparison.notEquals)) return false;
  if (comparison.in !== undefined && (value === undefined || !comparison.in.map(String).includes(value))) return false;
  if (comparison.includes !== undefined && (value === undefined || !value.split(',').includes(comparison.includes))) return false;
  const bounds: [number | undefined, (a: number, b: number) => boolean][] = [
    [comparison.gt, (a, b) => a > b],
    [comparison.gte, (a, b) => a >= b],
    [comparison.lt, (a, b) => a < b],
    [comparison.lte, (a, b) => a <= b],
  ];
  for (const [bound, holds] of bounds) {
    if (bound === undefined) continue;
    const number = numeric(value);
    if (number === null || !holds(number, bound)) return false;
  }
  return true;
}

/** Whether a condition holds. Comparisons on absent values are false (except exists: false). */
export function evaluateCondition(condition: FlowCondition, scope: Scope): boolean {
  if ('all' in condition) return condition.all.every((part) => evaluateCondition(part, scope));
  if ('any' in condition) return condition.any.some((part) => evaluateCondition(part, scope));
  if ('not' in condition) return !evaluateCondition(condition.not, scope);
  return compare(condition, scope);
}
