-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "surveyId" TEXT NOT NULL,
    "wave" TEXT,
    "channel" TEXT NOT NULL,
    "areaId" TEXT,
    "answered" INTEGER NOT NULL,
    "complete" BOOLEAN NOT NULL,
    "durationSeconds" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SurveyWave" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "surveyId" TEXT NOT NULL,
    "wave" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "areaId" TEXT,
    "invited" INTEGER NOT NULL DEFAULT 0,
    "opensAt" DATETIME NOT NULL,
    "reminderAt" DATETIME,
    "reminded" INTEGER NOT NULL DEFAULT 0,
    "remindedAt" DATETIME,
    "closesAt" DATETIME,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SurveyInvitation" (
    "waveId" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "finished" BOOLEAN NOT NULL DEFAULT false,

    PRIMARY KEY ("waveId", "contactId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SurveyAnswer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "surveyId" TEXT NOT NULL,
    "wave" TEXT,
    "responseId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "areaId" TEXT,
    "gender" TEXT,
    "ageBand" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_SurveyAnswer" ("ageBand", "answer", "areaId", "createdAt", "gender", "id", "question", "responseId", "surveyId", "wave") SELECT "ageBand", "answer", "areaId", "createdAt", "gender", "id", "question", "responseId", "surveyId", "wave" FROM "SurveyAnswer";
DROP TABLE "SurveyAnswer";
ALTER TABLE "new_SurveyAnswer" RENAME TO "SurveyAnswer";
CREATE INDEX "SurveyAnswer_surveyId_wave_question_answer_areaId_gender_ageBand_idx" ON "SurveyAnswer"("surveyId", "wave", "question", "answer", "areaId", "gender", "ageBand");
CREATE INDEX "SurveyAnswer_surveyId_question_wave_areaId_answer_idx" ON "SurveyAnswer"("surveyId", "question", "wave", "areaId", "answer");
CREATE INDEX "SurveyAnswer_responseId_idx" ON "SurveyAnswer"("responseId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SurveyResponse_surveyId_wave_idx" ON "SurveyResponse"("surveyId", "wave");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyWave_surveyId_wave_key" ON "SurveyWave"("surveyId", "wave");

-- CreateIndex
CREATE INDEX "SurveyInvitation_contactId_idx" ON "SurveyInvitation"("contactId");

