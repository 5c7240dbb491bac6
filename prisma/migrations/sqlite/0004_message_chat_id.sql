-- AlterTable
ALTER TABLE "Message" ADD COLUMN "chatMessageId" TEXT;

