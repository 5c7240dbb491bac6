/**
 * Routing: which committees a level of a policy reaches for an incident's area. A committee
 * target climbs the area tree from the incident's area and takes the nearest committees of that
 * level or higher (a locality without a peace committee falls to its region's); a desk target
 * takes the nearest desk of that name, or any desk of that name when none is on the way up.
 * Committees the category's rule excludes (policies.yaml `categories`, e.g. security liaisons for
 * reports of abuse by security forces) are left out before any of this: they are never told,
 * never on the incident's rosters, and the search walks past them.
 */
import type { Db } from '../db/client.js';
import type { AreaTreeCache } from '../areas/tree.js';
import { COMMITTEE_LEVELS, committeeAllowed, type Policy, type Policies, type Target } from './policies.js';

export interface CommitteeRow {
  id: string;
  name: string;
  level: string;
  desk: string | null;
  /** civilian | security_liaison */
  kind: string;
  areaId: string;
}

/** What routing needs to know about an incident. */
export interface RoutedIncident {
  areaId: string | null;
  category: string;
}

export function levelRank(level: string): number {
  const index = (COMMITTEE_LEVELS as readonly string[]).indexOf(level);
  return index === -1 ? 0 : index;
}

/** The committees an incident of this category may go to. */
export async function eligibleCommittees(db: Db, policies: Policies, category: string): Promise<CommitteeRow[]> {
  const committees = await db.committee.findMany({ orderBy: { id: 'asc' } });
  return committees.filter((c) => committeeAllowed(policies, category, c));
}

/** Committees a target reaches from an area path. */
export function committeesForTarget(committees: CommitteeRow[], path: string[], target: Target): CommitteeRow[] {
  if (target.kind === 'desk') {
    const desks = committees.filter((c) => c.level === 'desk' && c.desk === target.desk);
    for (const areaId of path) {
      const here = desks.filter((c) => c.areaId === areaId);
      if (here.length > 0) return here;
    }
    return desks.slice(0, 1);
  }
  const wanted = levelRank(target.level);
  for (const areaId of path) {
    const here = committees.filter((c) => c.areaId === areaId && c.level !== 'desk' && levelRank(c.level) >= wanted);
    if (here.length > 0) {
      const lowest = Math.min(...here.map((c) => levelRank(c.level)));
      return here.filter((c) => levelRank(c.level) === lowest);
    }
  }
  return [];
}

/** The targets of one level of a policy, with the category's desks added to the first level. */
export function levelTargets(policies: Policies, policy: Policy, levelIndex: number, category: string): Target[] {
  const level = policy.levels[levelIndex];
  if (!level) return [];
  const targets = [...level.targets];
  if (levelIndex === 0) for (const desk of policies.desks[category] ?? []) targets.push({ kind: 'desk', desk });
  return targets;
}

/**
 * Committees told at one level. After a reassignment, the assigned committee replaces the
 * routed committees at the level it was assigned to (`assignedLevel`).
 */
export async function committeesForLevel(
  db: Db,
  areas: AreaTreeCache,
  policies: Policies,
  policy: Policy,
  incident: RoutedIncident,
  levelIndex: number,
  assigned?: { committeeId: string; level: number } | null,
): Promise<CommitteeRow[]> {
  const committees = await eligibleCommittees(db, policies, incident.category);
  const path = await areas.path(db, incident.areaId);
  const found = new Map<string, CommitteeRow>();
  for (const target of levelTargets(policies, policy, levelIndex, incident.category)) {
    if (assigned && assigned.level === levelIndex && target.kind === 'level') continue;
    for (const committee of committeesForTarget(committees, path, target)) found.set(committee.id, committee);
  }
  if (assigned && assigned.level === levelIndex) {
    const committee = committees.find((c) => c.id === assigned.committeeId);
    if (committee) found.set(committee.id, committee);
  }
  return [...found.values()];
}

/** The level an assigned committee takes: the first level reaching its rank (a desk: the first). */
export function assignedLevelIndex(policy: Policy, committee: CommitteeRow): number {
  if (committee.level === 'desk') return 0;
  const rank = levelRank(committee.level);
  const index = policy.levels.findIndex((level) => level.targets.some((t) => t.kind === 'level' && levelRank(t.level) >= rank));
  return index === -1 ? policy.levels.length - 1 : index;
}

/**
 * Every committee on the incident's rosters: all levels of its policy, its desks and an
 * assigned committee. Only their members may act on the incident.
 */
export async function rosterCommittees(
  db: Db,
  areas: AreaTreeCache,
  policies: Policies,
  policy: Policy,
  incident: RoutedIncident,
  assignedCommitteeId?: string | null,
): Promise<CommitteeRow[]> {
  const committees = await eligibleCommittees(db, policies, incident.category);
  const path = await areas.path(db, incident.areaId);
  const found = new Map<string, CommitteeRow>();
  policy.levels.forEach((_, index) => {
    for (const target of levelTargets(policies, policy, index, incident.category)) {
      for (const committee of committeesForTarget(committees, path, target)) found.set(committee.id, committee);
    }
  });
  const assigned = assignedCommitteeId ? committees.find((c) => c.id === assignedCommitteeId) : undefined;
  if (assigned) found.set(assigned.id, assigned);
  return [...found.values()];
}

/** Active responders who are members of the given committees, in a stable order. */
export async function membersOf(db: Db, committeeIds: string[]) {
  if (committeeIds.length === 0) return [];
  const rows = await db.committeeMember.findMany({
    where: { committeeId: { in: committeeIds }, responder: { active: true } },
    include: { responder: true },
    orderBy: [{ committeeId: 'asc' }, { responderId: 'asc' }],
  });
  const seen = new Map<string, (typeof rows)[number]['responder']>();
  for (const row of rows) if (!seen.has(row.responderId)) seen.set(row.responderId, row.responder);
  return [...seen.values()];
}
