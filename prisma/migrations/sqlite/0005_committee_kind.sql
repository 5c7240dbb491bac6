-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Committee" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "desk" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'civilian',
    "areaId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Committee" ("areaId", "createdAt", "desk", "id", "level", "name", "updatedAt") SELECT "areaId", "createdAt", "desk", "id", "level", "name", "updatedAt" FROM "Committee";
DROP TABLE "Committee";
ALTER TABLE "new_Committee" RENAME TO "Committee";
CREATE INDEX "Committee_areaId_level_idx" ON "Committee"("areaId", "level");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

