-- AlterTable
ALTER TABLE "Committee" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'civilian';

