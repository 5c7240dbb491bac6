-- DropIndex
DROP INDEX "SurveyAnswer_surveyId_wave_question_idx";

-- DropIndex
DROP INDEX "SurveyAnswer_areaId_idx";

-- AlterTable
ALTER TABLE "SurveyAnswer" ALTER COLUMN "wave" DROP NOT NULL;

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" TEXT NOT NULL,
    "surveyId" TEXT NOT NULL,
    "wave" TEXT,
    "channel" TEXT NOT NULL,
    "areaId" TEXT,
    "answered" INTEGER NOT NULL,
    "complete" BOOLEAN NOT NULL,
    "durationSeconds" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveyResponse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyWave" (
    "id" TEXT NOT NULL,
    "surveyId" TEXT NOT NULL,
    "wave" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "areaId" TEXT,
    "invited" INTEGER NOT NULL DEFAULT 0,
    "opensAt" TIMESTAMP(3) NOT NULL,
    "reminderAt" TIMESTAMP(3),
    "reminded" INTEGER NOT NULL DEFAULT 0,
    "remindedAt" TIMESTAMP(3),
    "closesAt" TIMESTAMP(3),
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveyWave_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyInvitation" (
    "waveId" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "finished" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "SurveyInvitation_pkey" PRIMARY KEY ("waveId","contactId")
);

-- CreateIndex
CREATE INDEX "SurveyResponse_surveyId_wave_idx" ON "SurveyResponse"("surveyId", "wave");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyWave_surveyId_wave_key" ON "SurveyWave"("surveyId", "wave");

-- CreateIndex
CREATE INDEX "SurveyInvitation_contactId_idx" ON "SurveyInvitation"("contactId");

-- CreateIndex
CREATE INDEX "SurveyAnswer_surveyId_wave_question_answer_areaId_gender_ag_idx" ON "SurveyAnswer"("surveyId", "wave", "question", "answer", "areaId", "gender", "ageBand");

-- CreateIndex
CREATE INDEX "SurveyAnswer_surveyId_question_wave_areaId_answer_idx" ON "SurveyAnswer"("surveyId", "question", "wave", "areaId", "answer");

-- CreateIndex
CREATE INDEX "SurveyAnswer_responseId_idx" ON "SurveyAnswer"("responseId");

