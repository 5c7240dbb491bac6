/**
 * Survey waves: starting one invites everyone in an area (and below) through flow starts with the
 * parameter `wave`, and records how many were invited; one reminder (a second start) goes after
 * a configurable time to the invited who have not finished and are not in the survey right now;
 * a close time ends the wave (later answers count for no wave, see record.ts).
 *
 * Timer: `survey-reminder` { waveId }, job id `survey-reminder:<waveId>`.
 */
import { HttpError } from '../admin/errors.js';
import type { Db } from '../db/client.js';
import { contactsInArea, scheduleFlowStarts } from '../conversation/flow-starts.js';
import { jobId, type Queues } from '../jobs/queues.js';
import type { SurveyDefinition } from './definitions.js';

export const REMINDER_TIMER = 'survey-reminder';

export class WaveError extends HttpError {
  /** @param field the request field at fault: a 400 then names it in `issues`, as validation does */
  constructor(status: number, message: string, field?: string) {
    super(status, field ? 'invalid request' : message, field ? { issues: [{ path: field, message }] } : {});
    this.name = 'WaveError';
  }
}

/** A wave's name: 1-40 letters, digits and _ (it becomes part of start keys and file names). */
export const WAVE_NAME = /^[A-Za-z0-9_]{1,40}$/;

export interface WaveInput {
  wave: string;
  areaId: string;
  /** When invitations go out (default now). */
  at?: Date;
  /** Hours after opening when the reminder goes (default from the settings; 0: none). */
  reminderHours?: number;
  /** When the wave ends (default: open until closed). */
  closesAt?: Date;
}

export interface WaveDeps {
  db: Db;
  queues: Queues;
  flowIds: Set<string>;
  reminderHours: number;
  now: () => Date;
}

const startKey = (survey: string, wave: string, suffix = '') => `sv-${survey}-${wave}${suffix}`;

/** Opens a wave: invitations, flow starts, the reminder timer. Returns the wave row. */
export async function startWave(deps: WaveDeps, survey: SurveyDefinition, input: WaveInput, actor: string) {
  if (!WAVE_NAME.test(input.wave)) throw new WaveError(400, 'a wave name takes 1-40 letters, digits and _', 'wave');
  if (await deps.db.surveyWave.findUnique({ where: { surveyId_wave: { surveyId: survey.id, wave: input.wave } } })) throw new WaveError(409, `wave "${input.wave}" of survey "${survey.id}" exists`);
  // Checked before anything is stored (a refused start must not leave a wave behind).
  if (input.at && input.at.getTime() < deps.now().getTime() - 60_000) throw new WaveError(400, 'the start time is in the past', 'at');
  const opensAt = input.at ?? deps.now();
  const hours = input.reminderHours ?? deps.reminderHours;
  if (input.closesAt && input.closesAt.getTime() <= opensAt.getTime()) throw new WaveError(400, 'the close time must be after the opening', 'closesAt');
  const row = await deps.db.surveyWave.create({
    data: {
      surveyId: survey.id,
      wave: input.wave,
      flowId: survey.flowId,
      areaId: input.areaId,
      opensAt,
      reminderAt: hours > 0 ? new Date(opensAt.getTime() + hours * 3_600_000) : null,
      closesAt: input.closesAt ?? null,
      createdBy: actor,
    },
  });
  const db = deps.db;
  async function* invite(): AsyncGenerator<string[]> {
    for await (const page of contactsInArea(db, input.areaId)) {
      await db.surveyInvitation.createMany({ data: page.map((contactId) => ({ waveId: row.id, contactId })) });
      yield page;
    }
  }
  const invited = await scheduleFlowStarts(deps.queues, deps.flowIds, { flowId: survey.flowId, key: startKey(survey.id, input.wave), params: { wave: input.wave }, at: input.at }, invite());
  if (row.reminderAt) await deps.queues.schedule(jobId(REMINDER_TIMER, row.id), { kind: REMINDER_TIMER, waveId: row.id }, row.reminderAt);
  return deps.db.surveyWave.update({ where: { id: row.id }, data: { invited } });
}

/**
 * Closes a wave now (or at `at`; an earlier close time set at the start may be brought forward).
 * 404 for an unknown wave; 409 for a wave already closed: moving its close time later would
 * reopen it, while the answers given in between were stored for no wave.
 */
export async function closeWave(deps: WaveDeps, surveyId: string, wave: string, at?: Date) {
  const row = await deps.db.surveyWave.findUnique({ where: { surveyId_wave: { surveyId, wave } } });
  if (!row) throw new WaveError(404, `no wave "${wave}" of survey "${surveyId}"`);
  if (row.closesAt && row.closesAt.getTime() <= deps.now().getTime()) throw new WaveError(409, `wave "${wave}" of survey "${surveyId}" closed at ${row.closesAt.toISOString()}`);
  return deps.db.surveyWave.update({ where: { id: row.id }, data: { closesAt: at ?? deps.now() } });
}

/** The reminder: a second start for the invited who have not finished and are not in the survey now. */
export async function sendReminder(deps: WaveDeps, waveId: string): Promise<number> {
  const wave = await deps.db.surveyWave.findUnique({ where: { id: waveId } });
  if (!wave || wave.remindedAt) return 0;
  if (wave.closesAt && wave.closesAt.getTime() <= deps.now().getTime()) return 0;
  const db = deps.db;
  async function* pending(): AsyncGenerator<string[]> {
    let cursor: string | undefined;
    for (;;) {
      const page = await db.surveyInvitation.findMany({
        where: { waveId, finished: false, ...(cursor ? { contactId: { gt: cursor } } : {}) },
        orderBy: { contactId: 'asc' },
        take: 1000,
        select: { contactId: true },
      });
      if (page.length === 0) return;
      cursor = page.at(-1)!.contactId;
      const ids = page.map((p) => p.contactId);
      const busy = new Set(
        (await db.session.findMany({ where: { contactId: { in: ids }, status: 'active', flowId: wave!.flowId }, select: { contactId: true } })).map((s) => s.contactId),
      );
      yield ids.filter((id) => !busy.has(id));
    }
  }
  const reminded = await scheduleFlowStarts(deps.queues, deps.flowIds, { flowId: wave.flowId, key: startKey(wave.surveyId, wave.wave, '-r'), params: { wave: wave.wave } }, pending());
  await deps.db.surveyWave.update({ where: { id: waveId }, data: { reminded, remindedAt: deps.now() } });
  return reminded;
}
