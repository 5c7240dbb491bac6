/** Ids of the flows in the flows folder (wave starts check the survey's flow against them). */
import { flowFiles, readFlowFile } from '../flow/catalog.js';

export function loadFlowCatalogIds(flowsDir: string): Set<string> {
  return new Set(flowFiles(flowsDir).flatMap((file) => readFlowFile(file).document?.id ?? []));
}
