/**
 * The misinformation desk. Rumour reports (from the rumour-check flow or from staff) are grouped
 * into rumours: a report joins the most similar open rumour (similarity >= RUMOUR_SIMILARITY) in a
 * related area (the same area, one containing the other, the same region, or either unknown), or
 * starts a new one.
 * Staff set a rumour's status and a verified answer per language; publishing sends the answer to
 * every person who asked about it, on the channel they asked on and in their language (the
 * default language's answer otherwise), once per person, and can propose a broadcast of it to the
 * area (which goes through approval like any broadcast). A report that joins a rumour already
 * published is answered at once.
 */
import { z } from 'zod';
import { parseInput } from '../admin/errors.js';
import type { Runtime } from '../capability.js';
import { AreaTree } from '../areas/tree.js';
import { BroadcastError, type Actor, type BroadcastService } from '../broadcasts/index.js';
import type { Db } from '../db/client.js';
import { unitOfWork } from '../jobs/unit-of-work.js';
import { writeOutbox } from '../outbound/outbox.js';
import type { RumourSettings } from './settings.js';
import { similarity } from './similarity.js';

export const RUMOUR_STATUSES = ['new', 'investigating', 'verified_true', 'false', 'unverifiable'] as const;
export type RumourStatus = (typeof RUMOUR_STATUSES)[number];
/** Statuses in which an answer can be published. */
export const CONCLUDED: readonly string[] = ['verified_true', 'false', 'unverifiable'];

export interface DeskDeps {
  runtime: Runtime;
  settings: RumourSettings;
  broadcasts: BroadcastService;
  now: () => Date;
}

const language = z.string().regex(/^[a-z]{2,3}$/);
export const rumourUpdateInput = z.strictObject({
  status: z.enum(RUMOUR_STATUSES).optional(),
  title: z.string().trim().max(200).nullable().optional(),
});
export const answersInput = z.record(language, z.string().trim().max(1200));
export const publishInput = z.strictObject({
  /** Also propose a broadcast of the answer (needs approval like any broadcast). */
  broadcast: z
    .strictObject({
      areaId: z.string().min(1).nullable().optional(),
      topic: z.string().min(1).nullable().optional(),
      channels: z.array(z.string().min(1)).optional(),
      urgent: z.boolean().optional(),
    })
    .optional(),
});
export const staffReportInput = z.strictObject({ text: z.string().trim().min(3).max(1000), areaId: z.string().min(1).nullable().default(null) });

export class RumourDesk {
  /** One grouping at a time in this process, so two similar reports do not start two rumours. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DeskDeps) {}

  private get db(): Db {
    return this.deps.runtime.db;
  }

  /** Groups a report into a rumour; returns the rumour id. */
  group(reportId: string): Promise<string | null> {
    const run = this.chain.then(() => this.groupNow(reportId));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async groupNow(reportId: string): Promise<string | null> {
    const { runtime, settings } = this.deps;
    const report = await this.db.rumourReport.findUnique({ where: { id: reportId } });
    if (!report) return null;
    if (report.rumourId) return report.rumourId;
    const text = runtime.personalData.decrypt(report.textEnc);
    const tree = await AreaTree.load(this.db);
    const since = new Date(this.deps.now().getTime() - settings.RUMOUR_OPEN_DAYS * 86_400_000);
    const candidates = await this.db.rumour.findMany({ where: { lastReportAt: { gte: since } }, select: { id: true, textEnc: true, areaId: true } });
    let best: { id: string; score: number } | null = null;
    for (const candidate of candidates) {
      if (!tree.related(candidate.areaId, report.areaId)) continue;
      const score = similarity(text, runtime.personalData.decrypt(candidate.textEnc));
      if (score >= settings.RUMOUR_SIMILARITY && (!best || score > best.score)) best = { id: candidate.id, score };
    }
    const now = this.deps.now();
    const rumourId = await this.db.$transaction(async (tx) => {
      const id =
        best?.id ??
        (await tx.rumour.create({ data: { textEnc: report.textEnc, areaId: report.areaId, reportCount: 0, lastReportAt: now }, select: { id: true } })).id;
      const claimed = await tx.rumourReport.updateMany({ where: { id: reportId, rumourId: null }, data: { rumourId: id } });
      if (claimed.count > 0) await tx.rumour.update({ where: { id }, data: { reportCount: { increment: 1 }, lastReportAt: now } });
      return id;
    });
    const rumour = await this.db.rumour.findUniqueOrThrow({ where: { id: rumourId } });
    if (rumour.publishedAt) await this.answerReporters(rumourId);
    return rumourId;
  }

  /** Groups reports that were stored but never grouped (a crash between commit and hook). */
  async groupPending(limit = 500): Promise<number> {
    const pending = await this.db.rumourReport.findMany({ where: { rumourId: null }, orderBy: { createdAt: 'asc' }, take: limit, select: { id: true } });
    for (const report of pending) await this.group(report.id);
    return pending.length;
  }

  /** A report made by staff (no contact to answer). */
  async reportByStaff(actor: Actor, raw: unknown) {
    const input = parse(staffReportInput, raw);
    const tree = await AreaTree.load(this.db);
    if (input.areaId && !tree.has(input.areaId)) throw new BroadcastError(400, `unknown area "${input.areaId}"`);
    if (!this.deps.broadcasts.inScope(actor, input.areaId, tree)) throw new BroadcastError(403, `this token is limited to area "${actor.areaId}"`);
    const report = await this.db.rumourReport.create({
      data: { contactId: null, channel: 'staff', textEnc: this.deps.runtime.personalData.encrypt(input.text), areaId: input.areaId },
    });
    const rumourId = await this.group(report.id);
    await this.deps.broadcasts.audit(actor, 'rumour.report', report.id, { rumourId }, 'rumour_report');
    return { reportId: report.id, rumourId };
  }

  private async load(actor: Actor, id: string) {
    const rumour = await this.db.rumour.findUnique({ where: { id } });
    const tree = await AreaTree.load(this.db);
    if (!rumour || !this.deps.broadcasts.inScope(actor, rumour.areaId, tree)) throw new BroadcastError(404, 'no such rumour');
    return rumour;
  }

  private view(rumour: Awaited<ReturnType<Db['rumour']['findUniqueOrThrow']>>) {
    return {
      id: rumour.id,
      text: this.deps.runtime.personalData.decrypt(rumour.textEnc),
      title: rumour.title,
      areaId: rumour.areaId,
      status: rumour.status,
      answers: JSON.parse(rumour.answers) as Record<string, string>,
      reportCount: rumour.reportCount,
      lastReportAt: rumour.lastReportAt,
      publishedAt: rumour.publishedAt,
      broadcastId: rumour.broadcastId,
      createdAt: rumour.createdAt,
    };
  }

  /** Rumours (each the group of its reports), most recently reported first. */
  async list(actor: Actor, filter: { status?: string; areaId?: string; limit?: number } = {}) {
    await this.groupPending();
    const tree = await AreaTree.load(this.db);
    const scope = filter.areaId ?? actor.areaId;
    if (filter.areaId && !this.deps.broadcasts.inScope(actor, filter.areaId, tree)) throw new BroadcastError(403, `this token is limited to area "${actor.areaId}"`);
    const rows = await this.db.rumour.findMany({
      where: { ...(filter.status ? { status: filter.status } : {}), ...(scope ? { areaId: { in: tree.subtree(scope) } } : {}) },
      orderBy: { lastReportAt: 'desc' },
      take: Math.min(filter.limit ?? 100, 500),
    });
    await this.deps.broadcasts.audit(actor, 'rumour.list', '-', { count: rows.length }, 'rumour');
    return rows.map((r) => this.view(r));
  }

  /** One rumour with its reports (texts decrypted: the access is audited). */
  async get(actor: Actor, id: string) {
    const rumour = await this.load(actor, id);
    const reports = await this.db.rumourReport.findMany({ where: { rumourId: id }, orderBy: { createdAt: 'asc' } });
    await this.deps.broadcasts.audit(actor, 'rumour.read', id, { reports: reports.length }, 'rumour');
    return {
      ...this.view(rumour),
      reports: reports.map((r) => ({
        id: r.id,
        text: this.deps.runtime.personalData.decrypt(r.textEnc),
        areaId: r.areaId,
        channel: r.channel,
        fromStaff: r.contactId === null,
        answeredAt: r.answeredAt,
        createdAt: r.createdAt,
      })),
    };
  }

  async update(actor: Actor, id: string, raw: unknown) {
    const input = parse(rumourUpdateInput, raw);
    await this.load(actor, id);
    const updated = await this.db.rumour.update({
      where: { id },
      data: { ...(input.status ? { status: input.status } : {}), ...(input.title !== undefined ? { title: input.title } : {}) },
    });
    await this.deps.broadcasts.audit(actor, 'rumour.update', id, input, 'rumour');
    return this.view(updated);
  }

  /** Sets answers per language (an empty text removes that language's answer). */
  async setAnswers(actor: Actor, id: string, raw: unknown) {
    const input = parse(answersInput, raw);
    const rumour = await this.load(actor, id);
    const answers = { ...(JSON.parse(rumour.answers) as Record<string, string>) };
    for (const [lang, text] of Object.entries(input)) {
      if (text) answers[lang] = text;
      else delete answers[lang];
    }
    const updated = await this.db.rumour.update({ where: { id }, data: { answers: JSON.stringify(answers) } });
    await this.deps.broadcasts.audit(actor, 'rumour.answers', id, { languages: Object.keys(answers) }, 'rumour');
    return this.view(updated);
  }

  /** Publishes the answer: to everyone who asked, and optionally as a broadcast proposal. */
  async publish(actor: Actor, id: string, raw: unknown) {
    const input = parse(publishInput, raw);
    const rumour = await this.load(actor, id);
    const defaultLanguage = this.deps.runtime.translator.defaultLanguage;
    const answers = JSON.parse(rumour.answers) as Record<string, string>;
    if (!CONCLUDED.includes(rumour.status)) {
      throw new BroadcastError(409, `the rumour is "${rumour.status}": set it to verified_true, false or unverifiable before publishing`);
    }
    if (!answers[defaultLanguage]) throw new BroadcastError(400, `no answer in the default language "${defaultLanguage}"`);
    let broadcast: unknown = null;
    if (input.broadcast) {
      const created = await this.deps.broadcasts.create(
        actor,
        {
          title: `Rumour answer: ${rumour.title ?? rumour.id}`,
          texts: answers,
          defaultLanguage,
          fallback: true,
          audience: {
            areaId: input.broadcast.areaId === undefined ? rumour.areaId : input.broadcast.areaId,
            topic: input.broadcast.topic ?? null,
            channels: input.broadcast.channels ?? [],
          },
          urgent: input.broadcast.urgent ?? false,
        },
        { source: 'rumour', rumourId: id },
      );
      broadcast = created;
      await this.db.rumour.update({ where: { id }, data: { broadcastId: created.broadcast.id } });
    }
    await this.db.rumour.update({ where: { id }, data: { publishedAt: rumour.publishedAt ?? this.deps.now() } });
    const answered = await this.answerReporters(id);
    await this.deps.broadcasts.audit(actor, 'rumour.publish', id, { answered, broadcast: input.broadcast !== undefined }, 'rumour');
    return { rumour: this.view(await this.db.rumour.findUniqueOrThrow({ where: { id } })), answered, broadcast };
  }

  /**
   * Sends the answer to every reporter of the rumour not answered yet, once per person (the
   * outbox key is rumour + contact), on the channel of their report. Returns how many were sent.
   */
  async answerReporters(rumourId: string): Promise<number> {
    const { runtime } = this.deps;
    const rumour = await this.db.rumour.findUniqueOrThrow({ where: { id: rumourId } });
    const answers = JSON.parse(rumour.answers) as Record<string, string>;
    const fallback = answers[runtime.translator.defaultLanguage];
    if (!fallback) return 0;
    let sent = 0;
    for (;;) {
      const reports = await this.db.rumourReport.findMany({
        where: { rumourId, answeredAt: null, contactId: { not: null } },
        take: 200,
        orderBy: { id: 'asc' },
      });
      if (reports.length === 0) return sent;
      await unitOfWork(
        this.db,
        runtime.queues,
        async ({ tx, send }) => {
          const now = this.deps.now();
          const done = new Set<string>();
          for (const report of reports) {
            const contactId = report.contactId!;
            if (done.has(contactId)) continue;
            done.add(contactId);
            const contact = await tx.contact.findUnique({ where: { id: contactId }, select: { language: true, status: true } });
            const identity = await tx.contactIdentity.findFirst({ where: { contactId, channel: report.channel, stoppedAt: null }, select: { id: true } });
            if (contact && contact.status === 'active' && identity) {
              const lang = contact.language && answers[contact.language] ? contact.language : runtime.translator.defaultLanguage;
              const text = runtime.translator.t(lang, 'broadcasts:rumour.answer', { answer: answers[lang] ?? fallback });
              const rows = await writeOutbox(tx, runtime, { contactId, identityId: identity.id, channel: report.channel }, `rumour:${rumourId}:${contactId}`, [
                { message: { type: 'text', text }, kind: 'notification' },
              ], rumourId);
              send(rows);
              sent += rows.length;
            }
            await tx.rumourReport.updateMany({ where: { rumourId, contactId, answeredAt: null }, data: { answeredAt: now } });
          }
        },
        { timeoutMs: 60_000 },
      );
    }
  }
}

const parse = parseInput;
