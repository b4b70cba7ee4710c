//! The per-customer entitlement cache (spec §5.1) behind the store trait.
//!
//! # What is cached
//!
//! One entry per customer key ([`CacheKey`]: `c_{customerId}`, or `c_{customerId}:r_{resourceId}` for
//! a resource), holding that key's whole [`CustomerState`](crate::model::CustomerState) behind an `Arc`.
//! A check reads one feature or wallet from it by O(1) lookup, without cloning anything. There is no
//! TTL (as in Stigg): entries live until replaced, purged, cleared, evicted by the byte budget, or found
//! expired by `validUntil` on read ([`MemoryCache::get_valid`]).
//!
//! # Design of [`MemoryCache`]
//!
//! Two structures, each doing what it is good at:
//!
//! * **The index** — a lock-free `papaya` hash map (Fx-hashed) from [`CacheKey`] to
//!   `(Arc<CustomerState>, generation, validUntil)` — answers every read. [`MemoryCache::read`] looks it
//!   up with a borrowed [`CacheKeyRef`] (no allocation), pins an epoch guard (no lock, no reference
//!   count), and hands `&CustomerState` to a closure. Measured floors on the target machine: moka's own
//!   `get` costs ~190 ns (an `Arc` clone plus policy bookkeeping), more than the 150 ns budget of a
//!   whole check; a papaya read ~40 ns.
//! * **The policy** — a `moka::sync::Cache<CacheKey, Ticket>` whose value is only
//!   `(generation, weight)` — decides what stays: weigher = the entry's estimated bytes ([`size`]),
//!   `max_capacity` = the byte budget, TinyLFU admission and LRU eviction. Its eviction listener removes
//!   the evicted key from the index. Reads reach the policy only by sampling: on average one read in
//!   [`MemoryCacheConfig::touch_one_in`] (default 16, decided by a per-thread xorshift, so there is no
//!   shared counter) calls `moka::get` for that key — hits and misses alike — so frequently read
//!   customers keep a high frequency and survive a flood of one-off customers, while the average read
//!   pays ~1/16 of moka's cost.
//!
//! **Races.** Writes of one customer (all its resources) are serialized by one of 64 striped mutexes,
//! so the index and the policy see a customer's writes in the same order. Every write that inserts a
//! state takes a fresh *generation*, stored in both the index slot and the policy's ticket. The
//! eviction listener runs without the writer lock and removes an index entry only if its generation is
//! the evicted ticket's (`remove_if`), so a stale eviction never removes a newer write of the same key.
//! A usage patch keeps the generation and replaces the slot with a `compute` that aborts if the slot is
//! no longer that generation, so a patch never resurrects an entry evicted meanwhile. `clear` takes all
//! stripes. Invariant (checked by the tests under concurrency): once the policy's pending tasks are run,
//! every index entry is accounted by a policy ticket of the same generation, and vice versa.
//!
//! **How far the budget can be exceeded.** Each `put` applies its write to the policy before it returns
//! (`run_pending_tasks`), so at rest the estimated bytes are within `max_size_bytes`. Transiently, the
//! excess is bounded by (a) the states being written at that instant — at most one per writing thread,
//! each counted in full until the policy evicts for it — and (b) replaced or evicted states that are
//! still alive because a reader holds them: an `Arc` from [`MemoryCache::get_arc`], or a reader's epoch
//! guard, which defers freeing by at most one reclamation batch (32 retired states) per thread. A
//! single state heavier than the whole budget is never kept.
//!
//! # The store trait
//!
//! [`EntitlementStore`] is what the client needs from any cache layer; the memory cache implements it,
//! and the Redis store (spec §5.2) will. Its futures are boxed and `Send`, so `stigg-core` does not
//! commit to an executor here. Operations: `load` (a hit, or a miss that says whether a resource's
//! customer-level state is missing too), `save` (timestamp-guarded, optionally only if present),
//! `patch` (one usage, guarded by its `updatedAt`), `delete`, `delete_customer`, and `refetch`, which
//! wraps the client's API fetch after a miss so a shared store can make it a cross-process
//! single-flight (spec §5.2). Store errors ([`StoreError`]) are never check failures: the client turns
//! a failed read into a miss and a failed write into a skipped one; Redis errors are meant to become
//! exactly that.
//!
//! # Write guards
//!
//! Whole-state writes are guarded by the state's timestamp and usage patches by the usage's
//! `updatedAt`, with one rule ([`guard_allows`]): an older stamp does not overwrite, an equal one does,
//! an unstamped or epoch-0 write always does.

mod key;
mod memory;
pub mod redis;
pub mod size;
mod store;

pub use key::{CacheKey, CacheKeyRef};
pub use memory::{MemoryCache, MemoryCacheConfig};
pub use store::{
    guard_allows, EntitlementStore, PatchOutcome, PutMode, PutOutcome, StoreError, StoreFuture,
    StoreRead,
};

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests;
