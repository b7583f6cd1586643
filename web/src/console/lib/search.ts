// The search playground compares the three retrieval modes: where each result of one mode
// ranks in the others tells an editor whether keywords or meaning found it.
import type { SearchMode, SearchResult } from "./types";

export const MODES: readonly SearchMode[] = ["bm25", "dense", "hybrid"];

/** For each mode, chunk id → 1-based rank. */
export function rankMaps(results: Partial<Record<SearchMode, readonly SearchResult[]>>): Record<SearchMode, Map<string, number>> {
  const maps = { bm25: new Map(), dense: new Map(), hybrid: new Map() } as Record<SearchMode, Map<string, number>>;
  for (const mode of MODES) {
    (results[mode] ?? []).forEach((r, i) => {
      if (!maps[mode].has(r.chunk_id)) maps[mode].set(r.chunk_id, i + 1);
    });
  }
  return maps;
}

/** Where a result of `mode` ranks in the other modes that found it. */
export function elsewhere(
  chunkId: string,
  mode: SearchMode,
  ranks: Record<SearchMode, Map<string, number>>,
): { mode: SearchMode; rank: number }[] {
  const found: { mode: SearchMode; rank: number }[] = [];
  for (const other of MODES) {
    if (other === mode) continue;
    const rank = ranks[other].get(chunkId);
    if (rank !== undefined) found.push({ mode: other, rank });
  }
  return found;
}
