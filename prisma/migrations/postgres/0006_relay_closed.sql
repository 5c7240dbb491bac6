-- AlterTable
ALTER TABLE "IncidentRelay" ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "closedReason" TEXT,
ADD COLUMN     "remindedAt" TIMESTAMP(3);

