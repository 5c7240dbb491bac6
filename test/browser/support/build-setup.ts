/** Builds the console once before the browser tests (fresh, so they test the sources as they are). */
import { buildConsole } from '../../../scripts/build-console.js';

export default async function setup(): Promise<void> {
  await buildConsole();
}
