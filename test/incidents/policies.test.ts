/**
 * Escalation policy files: the default file loads, durations scale, bad files stop the boot with
 * the file and the field, quiet hours hold low severities back and never high ones.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/capability.js';
import { DEFAULT_POLICY_FILE, incidentsCapability } from '../../src/incidents/index.js';
import { createLogger } from '../../src/logger.js';
import { choosePolicy, loadPolicies, outsideQuietHours, parseDuration, PolicyFileError } from '../../src/incidents/policies.js';

const dir = mkdtempSync(join(tmpdir(), 'policies-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const MINIMAL = `
policies:
  - id: all
    match: { severity: [low, medium, high, critical] }
    ackTimeout: 1h
    levels:
      - { targets: [local], delay: 10m }
      - { targets: [regional] }
`;

describe('the default policies', () => {
  it('loads: critical and high climb local, regional, national; low goes local then regional after 24 h', () => {
    const policies = loadPolicies(DEFAULT_POLICY_FILE);
    const critical = choosePolicy(policies, 'critical', 'violence');
    expect(critical.levels.map((l) => l.targets)).toEqual([[{ kind: 'level', level: 'local' }], [{ kind: 'level', level: 'regional' }], [{ kind: 'level', level: 'national' }]]);
    expect(critical.levels.map((l) => l.delay)).toEqual([600_000, 600_000, 1_200_000]);
    const high = choosePolicy(policies, 'high', 'violence');
    expect(high.levels[0]!.delay).toBeGreaterThan(critical.levels[0]!.delay!);
    const low = choosePolicy(policies, 'low', 'violence');
    expect(low.levels.map((l) => [l.targets[0], l.delay])).toEqual([
      [{ kind: 'level', level: 'local' }, 86_400_000],
      [{ kind: 'level', level: 'regional' }, undefined],
    ]);
    expect(policies.desks.security_force_abuse).toEqual(['human_rights']);
    expect(policies.desks.abuse_by_security_forces).toEqual(['human_rights']);
  });

  it('scales every duration', () => {
    const policies = loadPolicies(DEFAULT_POLICY_FILE, 0.001);
    const critical = choosePolicy(policies, 'critical', 'x');
    expect(critical.levels[0]!.delay).toBe(600);
    expect(critical.ackTimeout).toBe(1800);
    expect(policies.duplicates.window).toBe(21_600);
  });

  it('chooses the first matching policy (a category one listed first), and medium for an unknown severity', () => {
    const first = file(
      'category-first.yaml',
      `policies:
  - id: rights
    match: { severity: [critical], category: [security_force_abuse] }
    ackTimeout: 5m
    levels: [{ targets: ["desk:human_rights"] }]
${MINIMAL.replace('policies:\n', '')}`,
    );
    const policies = loadPolicies(first);
    expect(choosePolicy(policies, 'critical', 'security_force_abuse').id).toBe('rights');
    expect(choosePolicy(policies, 'critical', 'violence').id).toBe('all');
    expect(choosePolicy(policies, 'unheard-of', 'violence').id).toBe('all');
  });
});

describe('bad policy files', () => {
  const cases: [string, string, RegExp][] = [
    ['missing delay', MINIMAL.replace('delay: 10m', 'note: x'), /field "policies\.0\.levels\.0/],
    ['a bad duration', MINIMAL.replace('10m', 'ten minutes'), /field "policies\.0\.levels\.0\.delay": "ten minutes" is not a duration/],
    ['an unknown target', MINIMAL.replace('[regional]', '[county]'), /field "policies\.0\.levels\.1\.targets\.0": unknown target "county"/],
    [
      'quiet hours on critical',
      MINIMAL.replace('ackTimeout: 1h', 'ackTimeout: 1h\n    quietHours: { start: "21:00", end: "07:00" }'),
      /field "policies\.0\.quietHours": quiet hours do not apply to high or critical severity/,
    ],
    ['a severity without policy', MINIMAL.replace('[low, medium, high, critical]', '[low, medium, high]'), /field "policies": no policy for severity "critical"/],
    ['a repeat without a last delay', MINIMAL.replace('ackTimeout: 1h', 'ackTimeout: 1h\n    repeat: 2'), /field "policies\.0\.levels\.1\.delay": the last level needs a delay when the policy repeats/],
    ['YAML that does not parse', 'policies: [', /field "\(file\)"/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}, naming the file and the field`, () => {
      const path = file(`${what.replace(/\W+/g, '-')}.yaml`, text);
      let error: unknown;
      try {
        loadPolicies(path);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PolicyFileError);
      expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('stops the gateway boot: building the capability throws with the file and the field', () => {
    const path = file('boot.yaml', MINIMAL.replace('10m', 'soon'));
    const runtime = { config: {}, logger: createLogger('silent'), adapters: new Map() } as unknown as Runtime;
    expect(() => incidentsCapability({ policyFile: path }).create(runtime, { INCIDENT_POLICY_FILE: path, INCIDENT_DELAY_SCALE: 1 })).toThrow(`${path}: field "policies.0.levels.0.delay": "soon" is not a duration`);
  });

  it('refuses a scale that is not positive', () => {
    expect(() => loadPolicies(DEFAULT_POLICY_FILE, 0)).toThrow(/scale must be > 0/);
  });
});

describe('durations and quiet hours', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('10')).toBeNull();
    expect(parseDuration('soon')).toBeNull();
  });

  const policies = loadPolicies(DEFAULT_POLICY_FILE);
  const low = choosePolicy(policies, 'low', 'x');
  const high = choosePolicy(policies, 'high', 'x');
  const tz = 'Africa/Nairobi'; // UTC+3

  it('holds a low-severity notification due at 23:30 local until 07:00', () => {
    const at = new Date('2025-03-04T20:30:00Z'); // 23:30 in Nairobi
    expect(outsideQuietHours(at, low, 'low', tz).toISOString()).toBe('2025-03-05T04:00:00.000Z');
  });

  it('holds one due at 03:10 local until 07:00 the same morning', () => {
    expect(outsideQuietHours(new Date('2025-03-05T00:10:00Z'), low, 'low', tz).toISOString()).toBe('2025-03-05T04:00:00.000Z');
  });

  it('lets a notification outside quiet hours go at once', () => {
    const at = new Date('2025-03-04T09:00:00Z');
    expect(outsideQuietHours(at, low, 'low', tz)).toEqual(at);
  });

  it('never holds high or critical', () => {
    const at = new Date('2025-03-04T20:30:00Z');
    expect(outsideQuietHours(at, high, 'high', tz)).toEqual(at);
    // Even a low policy does not hold a critical incident that ended up on it.
    expect(outsideQuietHours(at, low, 'critical', tz)).toEqual(at);
  });

  it('falls back to UTC for an unknown time zone', () => {
    expect(outsideQuietHours(new Date('2025-03-04T22:00:00Z'), low, 'low', 'Nowhere/Atlantis').toISOString()).toBe('2025-03-05T07:00:00.000Z');
  });
});
