-- AlterTable
ALTER TABLE "IncidentRelay" ADD COLUMN "closedAt" DATETIME;
ALTER TABLE "IncidentRelay" ADD COLUMN "closedReason" TEXT;
ALTER TABLE "IncidentRelay" ADD COLUMN "remindedAt" DATETIME;

