/**
 * One of several processes that open the same new database files at the same instants
 * (sqlite-open-race.test.ts). Prints how many opens failed, and the first error.
 */
import { join } from 'node:path';
import { openSqliteStorage } from '../src/storage/sqlite-storage.ts';

const [dir, countText, firstAtText, spacingText] = process.argv.slice(2);
const count = Number(countText);
const firstAt = Number(firstAtText);
const spacingMs = Number(spacingText);
let failures = 0;
let firstError = '';
for (let round = 0; round < count; round++) {
  const at = firstAt + round * spacingMs;
  while (Date.now() < at) {
    // Spin rather than sleep: the processes must reach the open within the same millisecond.
  }
  try {
    const storage = openSqliteStorage(join(dir, `race-${round}.db`));
    await storage.close();
  } catch (error) {
    failures++;
    firstError ||= String(error);
  }
}
process.stdout.write(JSON.stringify({ failures, firstError }));
