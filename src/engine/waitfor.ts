/** Wait-for graphs, for deadlock reports. */

/**
 * A cycle in a wait-for graph (each blocked thread and the threads it waits for), as the
 * thread ids along it, or null if there is none.
 */
export function findCycle(nodes: readonly { tid: number; next: readonly number[] }[]): number[] | null {
  const byTid = new Map(nodes.map((n) => [n.tid, n]));
  for (const start of nodes) {
    const path: number[] = [];
    const seen = new Set<number>();
    let cur: number | undefined = start.tid;
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      path.push(cur);
      cur = byTid.get(cur)?.next.find((n) => byTid.has(n));
    }
    if (cur !== undefined) return path.slice(path.indexOf(cur));
  }
  return null;
}
