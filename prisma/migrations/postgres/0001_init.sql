-- CreateTable
CREATE TABLE "Area" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT NOT NULL DEFAULT '',
    "level" TEXT NOT NULL,
    "parentId" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,

    CONSTRAINT "Area_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Contact" (
    "id" TEXT NOT NULL,
    "language" TEXT,
    "areaId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "fields" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContactIdentity" (
    "id" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "addressHash" TEXT NOT NULL,
    "addressEnc" TEXT NOT NULL,
    "stoppedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ContactIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "channel" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "flowId" TEXT,
    "state" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "contactId" TEXT,
    "identityId" TEXT,
    "bodyEnc" TEXT NOT NULL,
    "providerId" TEXT,
    "status" TEXT NOT NULL,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "encoding" TEXT,
    "segments" INTEGER,
    "kind" TEXT NOT NULL DEFAULT 'reply',
    "causeId" TEXT,
    "threadOf" TEXT,
    "broadcastId" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "areaId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" TEXT NOT NULL,
    "caseCode" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "areaId" TEXT,
    "occurredAt" TEXT,
    "affected" INTEGER,
    "descriptionEnc" TEXT NOT NULL,
    "anonymous" BOOLEAN NOT NULL DEFAULT false,
    "callbackAllowed" BOOLEAN NOT NULL DEFAULT false,
    "reporterContactId" TEXT,
    "reporterChannel" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" TIMESTAMP(3),
    "resolvedBy" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "verification" TEXT NOT NULL DEFAULT 'pending',
    "duplicateOfId" TEXT,

    CONSTRAINT "Incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyAnswer" (
    "id" TEXT NOT NULL,
    "surveyId" TEXT NOT NULL,
    "wave" TEXT NOT NULL,
    "responseId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "areaId" TEXT,
    "gender" TEXT,
    "ageBand" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveyAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RumourReport" (
    "id" TEXT NOT NULL,
    "contactId" TEXT,
    "channel" TEXT NOT NULL,
    "textEnc" TEXT NOT NULL,
    "areaId" TEXT,
    "rumourId" TEXT,
    "answeredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RumourReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscription" (
    "contactId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "channel" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("contactId","topic")
);

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "texts" TEXT NOT NULL,
    "defaultLanguage" TEXT NOT NULL,
    "fallback" BOOLEAN NOT NULL DEFAULT false,
    "link" TEXT,
    "feedback" TEXT NOT NULL DEFAULT 'none',
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "areaId" TEXT,
    "topic" TEXT,
    "languages" TEXT NOT NULL DEFAULT '',
    "channels" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'staff',
    "rumourId" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdByName" TEXT NOT NULL,
    "createdByRole" TEXT NOT NULL,
    "approvedBy" TEXT,
    "approvedByName" TEXT,
    "approvedAt" TIMESTAMP(3),
    "rejectedReason" TEXT,
    "scheduledAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "dispatchedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "audienceSize" INTEGER,
    "cursor" TEXT,
    "written" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "channelCounts" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BroadcastFeedback" (
    "id" TEXT NOT NULL,
    "broadcastId" TEXT NOT NULL,
    "contactId" TEXT,
    "messageId" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "textEnc" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BroadcastFeedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rumour" (
    "id" TEXT NOT NULL,
    "textEnc" TEXT NOT NULL,
    "title" TEXT,
    "areaId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "answers" TEXT NOT NULL DEFAULT '{}',
    "reportCount" INTEGER NOT NULL DEFAULT 0,
    "lastReportAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMP(3),
    "broadcastId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Rumour_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Committee" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "desk" TEXT,
    "areaId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Committee_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Responder" (
    "id" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "preferredChannel" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Responder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CommitteeMember" (
    "committeeId" TEXT NOT NULL,
    "responderId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CommitteeMember_pkey" PRIMARY KEY ("committeeId","responderId")
);

-- CreateTable
CREATE TABLE "Escalation" (
    "incidentId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "triggerRound" INTEGER NOT NULL DEFAULT 0,
    "trigger" TEXT NOT NULL DEFAULT 'created',
    "notifiedLevel" INTEGER,
    "timerKind" TEXT,
    "timerAt" TIMESTAMP(3),
    "assignedCommitteeId" TEXT,
    "exhaustedAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Escalation_pkey" PRIMARY KEY ("incidentId")
);

-- CreateTable
CREATE TABLE "IncidentNotification" (
    "id" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "responderId" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "channel" TEXT,
    "identityId" TEXT,
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IncidentNotification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IncidentRelay" (
    "id" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "reporterContactId" TEXT NOT NULL,
    "askedBy" TEXT NOT NULL,
    "questionEnc" TEXT NOT NULL,
    "answerEnc" TEXT,
    "askedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answeredAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IncidentRelay_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IncidentLink" (
    "incidentId" TEXT NOT NULL,
    "candidateId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'suggested',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IncidentLink_pkey" PRIMARY KEY ("incidentId","candidateId")
);

-- CreateIndex
CREATE INDEX "Area_parentId_idx" ON "Area"("parentId");

-- CreateIndex
CREATE INDEX "Contact_areaId_idx" ON "Contact"("areaId");

-- CreateIndex
CREATE INDEX "ContactIdentity_contactId_idx" ON "ContactIdentity"("contactId");

-- CreateIndex
CREATE UNIQUE INDEX "ContactIdentity_channel_addressHash_key" ON "ContactIdentity"("channel", "addressHash");

-- CreateIndex
CREATE INDEX "Session_contactId_status_idx" ON "Session"("contactId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Message_dedupeKey_key" ON "Message"("dedupeKey");

-- CreateIndex
CREATE INDEX "Message_channel_providerId_idx" ON "Message"("channel", "providerId");

-- CreateIndex
CREATE INDEX "Message_contactId_createdAt_idx" ON "Message"("contactId", "createdAt");

-- CreateIndex
CREATE INDEX "Message_broadcastId_status_idx" ON "Message"("broadcastId", "status");

-- CreateIndex
CREATE INDEX "Message_causeId_idx" ON "Message"("causeId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AuditEntry_subjectType_subjectId_idx" ON "AuditEntry"("subjectType", "subjectId");

-- CreateIndex
CREATE UNIQUE INDEX "Incident_caseCode_key" ON "Incident"("caseCode");

-- CreateIndex
CREATE INDEX "Incident_areaId_status_idx" ON "Incident"("areaId", "status");

-- CreateIndex
CREATE INDEX "Incident_reporterContactId_idx" ON "Incident"("reporterContactId");

-- CreateIndex
CREATE INDEX "Incident_duplicateOfId_idx" ON "Incident"("duplicateOfId");

-- CreateIndex
CREATE INDEX "SurveyAnswer_surveyId_wave_question_idx" ON "SurveyAnswer"("surveyId", "wave", "question");

-- CreateIndex
CREATE INDEX "SurveyAnswer_areaId_idx" ON "SurveyAnswer"("areaId");

-- CreateIndex
CREATE INDEX "RumourReport_rumourId_idx" ON "RumourReport"("rumourId");

-- CreateIndex
CREATE INDEX "RumourReport_contactId_idx" ON "RumourReport"("contactId");

-- CreateIndex
CREATE INDEX "Subscription_topic_idx" ON "Subscription"("topic");

-- CreateIndex
CREATE INDEX "Broadcast_status_idx" ON "Broadcast"("status");

-- CreateIndex
CREATE INDEX "Broadcast_areaId_idx" ON "Broadcast"("areaId");

-- CreateIndex
CREATE UNIQUE INDEX "BroadcastFeedback_messageId_key" ON "BroadcastFeedback"("messageId");

-- CreateIndex
CREATE INDEX "BroadcastFeedback_broadcastId_idx" ON "BroadcastFeedback"("broadcastId");

-- CreateIndex
CREATE INDEX "BroadcastFeedback_contactId_broadcastId_idx" ON "BroadcastFeedback"("contactId", "broadcastId");

-- CreateIndex
CREATE INDEX "Rumour_status_idx" ON "Rumour"("status");

-- CreateIndex
CREATE INDEX "Rumour_areaId_idx" ON "Rumour"("areaId");

-- CreateIndex
CREATE INDEX "Committee_areaId_level_idx" ON "Committee"("areaId", "level");

-- CreateIndex
CREATE UNIQUE INDEX "Responder_contactId_key" ON "Responder"("contactId");

-- CreateIndex
CREATE INDEX "CommitteeMember_responderId_idx" ON "CommitteeMember"("responderId");

-- CreateIndex
CREATE INDEX "Escalation_timerKind_idx" ON "Escalation"("timerKind");

-- CreateIndex
CREATE INDEX "IncidentNotification_responderId_createdAt_idx" ON "IncidentNotification"("responderId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "IncidentNotification_incidentId_round_level_responderId_key" ON "IncidentNotification"("incidentId", "round", "level", "responderId");

-- CreateIndex
CREATE INDEX "IncidentRelay_reporterContactId_answeredAt_idx" ON "IncidentRelay"("reporterContactId", "answeredAt");

-- CreateIndex
CREATE INDEX "IncidentRelay_incidentId_idx" ON "IncidentRelay"("incidentId");

-- CreateIndex
CREATE INDEX "IncidentLink_candidateId_idx" ON "IncidentLink"("candidateId");

-- AddForeignKey
ALTER TABLE "Area" ADD CONSTRAINT "Area_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Area"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Contact" ADD CONSTRAINT "Contact_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContactIdentity" ADD CONSTRAINT "ContactIdentity_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ContactIdentity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommitteeMember" ADD CONSTRAINT "CommitteeMember_committeeId_fkey" FOREIGN KEY ("committeeId") REFERENCES "Committee"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommitteeMember" ADD CONSTRAINT "CommitteeMember_responderId_fkey" FOREIGN KEY ("responderId") REFERENCES "Responder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

