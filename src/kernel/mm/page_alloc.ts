// Models mm/page_alloc.c @ v7.0 as a pool of physical pages with a limit, so memory can run
// out: alloc_page() takes one page from w.nr_free_pages, __free_page() returns it.
// CUSTOMISED: no zones, watermarks, reclaim or OOM invocation: an empty pool (or the injected
// fault at the caller's site) makes the allocation fail at once, as an OOM victim's
// allocation may. Every page is registered for the end-of-execution audit.
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { fault, newLoc, rmw } from '../../engine/prims.ts';
import type { address_space, page } from '../include/linux/mm_types.ts';
import { new_name, type world } from '../world.ts';

/**
 * alloc_page() - one page from the pool, or null (pool empty, or fault `site` fires).
 * The page starts with _refcount 1 (the caller's reference).
 * Models: include/linux/gfp.h: alloc_page() / mm/page_alloc.c: __alloc_pages()
 */
export function* alloc_page(w: world, site: string, anon: boolean, mapping: address_space | null = null): Model<page | null> {
  if (yield* fault(site)) return null;
  for (let attempt = 0; ; attempt++) {
    const old = yield* rmw(w.nr_free_pages, (n) => (n > 0 ? n - 1 : 0));
    if (old > 0) break;
    // __alloc_pages_slowpath() -> __alloc_pages_may_oom(): only when a scenario enabled the OOM
    // killer (w.__oom_slowpath, set by mm/oom_kill.ts: oom_killer_enable); otherwise fail at once.
    if (!w.__oom_slowpath || !(yield* w.__oom_slowpath(attempt))) return null;
  }
  return yield* new_page(w, anon, mapping);
}

/** A registered page struct with _refcount 1 (its pool slot already taken). */
function* new_page(w: world, anon: boolean, mapping: address_space | null): Model<page> {
  const name = new_name(w, anon ? 'anon_page' : 'file_page');
  const p: page = { name, anon, mapping, _refcount: yield* newLoc(`${name}._refcount`, 1), __state: 'live' };
  w.__reg.pages.push(p);
  return p;
}

/**
 * alloc_pages_light() - @nr anonymous pages at once for a THP, or null: a huge-page allocation
 * (GFP_TRANSHUGE_LIGHT) neither reclaims nor enters the OOM killer, so a pool with fewer than
 * @nr free pages (or the fault at `site`) fails it at once and the fault falls back to PTEs.
 * DEVIATION: the compound page is @nr order-0 pages, each with its own refcount.
 * Models: mm/huge_memory.c: vma_alloc_anon_folio_pmd() -> vma_alloc_folio(GFP_TRANSHUGE_LIGHT)
 */
export function* alloc_pages_light(w: world, site: string, nr: number): Model<page[] | null> {
  if (yield* fault(site)) return null;
  const old = yield* rmw(w.nr_free_pages, (n) => (n >= nr ? n - nr : n));
  if (old < nr) return null;
  const pages: page[] = [];
  for (let i = 0; i < nr; i++) pages.push(yield* new_page(w, true, null));
  return pages;
}

/**
 * put_page() - drop a reference; the last one frees the page to the pool.
 * Models: include/linux/mm.h: put_page() / folio_put()
 */
export function* put_page(w: world, p: page): Model<void> {
  if (p.__state === 'freed') throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free in put_page: ${p.name} already freed`);
  const old = yield* rmw(p._refcount, (n) => n - 1);
  if (old <= 0) throw new ModelViolation('refcount', `BUG: Bad page state: ${p.name} _refcount underflow`);
  if (old === 1) {
    p.__state = 'freed';
    yield* rmw(w.nr_free_pages, (n) => n + 1); // free_unref_folios()
  }
}

/** get_page() - take a reference (the page must be live). Models: include/linux/mm.h: get_page() */
export function* get_page(p: page): Model<void> {
  const old = yield* rmw(p._refcount, (n) => n + 1);
  if (old <= 0 || p.__state === 'freed') throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free in get_page: ${p.name} is free`);
}
