-- CreateTable
CREATE TABLE "Area" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "aliases" TEXT NOT NULL DEFAULT '',
    "level" TEXT NOT NULL,
    "parentId" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "latitude" REAL,
    "longitude" REAL,
    CONSTRAINT "Area_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Area" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Contact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "language" TEXT,
    "areaId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "fields" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Contact_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ContactIdentity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contactId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "addressHash" TEXT NOT NULL,
    "addressEnc" TEXT NOT NULL,
    "stoppedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ContactIdentity_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contactId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "channel" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "flowId" TEXT,
    "state" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Session_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Message_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "ContactIdentity" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "areaId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiToken_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "latitude" REAL,
    "longitude" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" DATETIME,
    "resolvedBy" TEXT,
    "resolvedAt" DATETIME,
    "verification" TEXT NOT NULL DEFAULT 'pending',
    "duplicateOfId" TEXT
);

-- CreateTable
CREATE TABLE "SurveyAnswer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "surveyId" TEXT NOT NULL,
    "wave" TEXT NOT NULL,
    "responseId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "areaId" TEXT,
    "gender" TEXT,
    "ageBand" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RumourReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contactId" TEXT,
    "channel" TEXT NOT NULL,
    "textEnc" TEXT NOT NULL,
    "areaId" TEXT,
    "rumourId" TEXT,
    "answeredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Subscription" (
    "contactId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "channel" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("contactId", "topic"),
    CONSTRAINT "Subscription_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "approvedAt" DATETIME,
    "rejectedReason" TEXT,
    "scheduledAt" DATETIME,
    "startedAt" DATETIME,
    "dispatchedAt" DATETIME,
    "cancelledAt" DATETIME,
    "audienceSize" INTEGER,
    "cursor" TEXT,
    "written" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "channelCounts" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "BroadcastFeedback" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "broadcastId" TEXT NOT NULL,
    "contactId" TEXT,
    "messageId" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "textEnc" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Rumour" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "textEnc" TEXT NOT NULL,
    "title" TEXT,
    "areaId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "answers" TEXT NOT NULL DEFAULT '{}',
    "reportCount" INTEGER NOT NULL DEFAULT 0,
    "lastReportAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" DATETIME,
    "broadcastId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Committee" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "desk" TEXT,
    "areaId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Responder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contactId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "preferredChannel" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CommitteeMember" (
    "committeeId" TEXT NOT NULL,
    "responderId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("committeeId", "responderId"),
    CONSTRAINT "CommitteeMember_committeeId_fkey" FOREIGN KEY ("committeeId") REFERENCES "Committee" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CommitteeMember_responderId_fkey" FOREIGN KEY ("responderId") REFERENCES "Responder" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Escalation" (
    "incidentId" TEXT NOT NULL PRIMARY KEY,
    "policyId" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "triggerRound" INTEGER NOT NULL DEFAULT 0,
    "trigger" TEXT NOT NULL DEFAULT 'created',
    "notifiedLevel" INTEGER,
    "timerKind" TEXT,
    "timerAt" DATETIME,
    "assignedCommitteeId" TEXT,
    "exhaustedAt" DATETIME,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IncidentNotification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "incidentId" TEXT NOT NULL,
    "responderId" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "channel" TEXT,
    "identityId" TEXT,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "IncidentRelay" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "incidentId" TEXT NOT NULL,
    "reporterContactId" TEXT NOT NULL,
    "askedBy" TEXT NOT NULL,
    "questionEnc" TEXT NOT NULL,
    "answerEnc" TEXT,
    "askedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answeredAt" DATETIME,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IncidentLink" (
    "incidentId" TEXT NOT NULL,
    "candidateId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'suggested',
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("incidentId", "candidateId")
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

