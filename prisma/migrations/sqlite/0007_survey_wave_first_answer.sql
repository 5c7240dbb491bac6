-- CreateIndex
CREATE INDEX "SurveyAnswer_surveyId_wave_createdAt_idx" ON "SurveyAnswer"("surveyId", "wave", "createdAt");

