//! The keyword prefilter on Hyperscan: every keyword compiled as an ASCII case-insensitive
//! literal into one block-mode database, scanned with Hyperscan's literal matchers (FDR
//! and friends, SIMD), which run about twice as fast as [`crate::keywords`]' own DFA on
//! source text.
//!
//! This module owns the foreign interface: the database, a pool of scratch spaces (one
//! per concurrent scan; Hyperscan requires a scratch per thread) and the match callback.
//! Every `unsafe` block of the crate is here. Which keywords exist and what a hit means is
//! [`crate::keywords`]' business.
//!
//! Semantics match the DFA's: every occurrence of every keyword is reported with its end
//! offset, overlapping ones included; the result is sorted by end offset.

use crate::keywords::Hit;
use std::ffi::{CStr, c_char, c_int, c_uint, c_ulonglong, c_void};
use std::ptr;
use std::sync::Mutex;

#[repr(C)]
struct HsDatabase {
    _private: [u8; 0],
}
#[repr(C)]
struct HsScratch {
    _private: [u8; 0],
}
#[repr(C)]
struct HsCompileError {
    message: *mut c_char,
    expression: c_int,
}

type MatchHandler = unsafe extern "C" fn(
    id: c_uint,
    from: c_ulonglong,
    to: c_ulonglong,
    flags: c_uint,
    context: *mut c_void,
) -> c_int;

const HS_SUCCESS: c_int = 0;
const HS_FLAG_CASELESS: c_uint = 1;
const HS_MODE_BLOCK: c_uint = 1;

unsafe extern "C" {
    fn hs_valid_platform() -> c_int;
    fn hs_compile_lit_multi(
        expressions: *const *const c_char,
        flags: *const c_uint,
        ids: *const c_uint,
        lens: *const usize,
        elements: c_uint,
        mode: c_uint,
        platform: *const c_void,
        db: *mut *mut HsDatabase,
        error: *mut *mut HsCompileError,
    ) -> c_int;
    fn hs_free_compile_error(error: *mut HsCompileError) -> c_int;
    fn hs_free_database(db: *mut HsDatabase) -> c_int;
    fn hs_alloc_scratch(db: *const HsDatabase, scratch: *mut *mut HsScratch) -> c_int;
    fn hs_free_scratch(scratch: *mut HsScratch) -> c_int;
    fn hs_scan(
        db: *const HsDatabase,
        data: *const c_char,
        length: c_uint,
        flags: c_uint,
        scratch: *mut HsScratch,
        on_event: MatchHandler,
        context: *mut c_void,
    ) -> c_int;
}

/// A scratch space owned by the pool.
struct Scratch(*mut HsScratch);

// SAFETY: a scratch space is plain memory that Hyperscan uses during one scan; it may move
// between threads as long as one scan at a time uses it, which the pool guarantees.
unsafe impl Send for Scratch {}

/// A compiled keyword database.
pub(crate) struct Literals {
    db: *mut HsDatabase,
    pool: Mutex<Vec<Scratch>>,
}

// SAFETY: a compiled Hyperscan database is immutable and documented as safe to scan from
// many threads at once (each with its own scratch, which the pool hands out).
unsafe impl Send for Literals {}
// SAFETY: as above; `pool` is behind a mutex.
unsafe impl Sync for Literals {}

impl Literals {
    /// Compiles `keywords` (matched ASCII case-insensitively; pattern id = index). Returns
    /// `None` when the CPU lacks what Hyperscan needs (SSSE3), an error when compiling
    /// fails.
    pub(crate) fn new(keywords: &[&str]) -> Result<Option<Literals>, String> {
        // SAFETY: no arguments; reads CPU features.
        if unsafe { hs_valid_platform() } != HS_SUCCESS {
            return Ok(None);
        }
        let count = c_uint::try_from(keywords.len()).map_err(|_| "too many keywords")?;
        let ptrs: Vec<*const c_char> = keywords.iter().map(|k| k.as_ptr().cast()).collect();
        let lens: Vec<usize> = keywords.iter().map(|k| k.len()).collect();
        let flags = vec![HS_FLAG_CASELESS; keywords.len()];
        let ids: Vec<c_uint> = (0..count).collect();
        let mut db: *mut HsDatabase = ptr::null_mut();
        let mut err: *mut HsCompileError = ptr::null_mut();
        // SAFETY: the four arrays hold `count` elements each and outlive the call; literal
        // mode reads exactly `lens[i]` bytes of `ptrs[i]` (no terminator needed); `db` and
        // `err` are out-pointers.
        let rc = unsafe {
            hs_compile_lit_multi(
                ptrs.as_ptr(),
                flags.as_ptr(),
                ids.as_ptr(),
                lens.as_ptr(),
                count,
                HS_MODE_BLOCK,
                ptr::null(),
                &mut db,
                &mut err,
            )
        };
        if rc != HS_SUCCESS {
            let reason = if err.is_null() {
                format!("hyperscan error {rc}")
            } else {
                // SAFETY: on failure `err` points to a compile error whose message is a
                // NUL-terminated string, valid until freed below.
                let (msg, which) = unsafe {
                    (
                        CStr::from_ptr((*err).message)
                            .to_string_lossy()
                            .into_owned(),
                        (*err).expression,
                    )
                };
                // SAFETY: `err` came from hs_compile_lit_multi and is freed once.
                unsafe { hs_free_compile_error(err) };
                let kw = usize::try_from(which)
                    .ok()
                    .and_then(|i| keywords.get(i))
                    .map(|k| format!(" (keyword {k:?})"))
                    .unwrap_or_default();
                format!("{msg}{kw}")
            };
            return Err(reason);
        }
        let lits = Literals {
            db,
            pool: Mutex::new(Vec::new()),
        };
        // One scratch up front, so a platform problem shows at build time, not mid-scan.
        let first = lits.alloc_scratch()?;
        lits.give_back(first);
        Ok(Some(lits))
    }

    fn alloc_scratch(&self) -> Result<Scratch, String> {
        let mut s: *mut HsScratch = ptr::null_mut();
        // SAFETY: `self.db` is a valid database; `s` is an out-pointer starting null, so a
        // new scratch is allocated.
        let rc = unsafe { hs_alloc_scratch(self.db, &mut s) };
        if rc != HS_SUCCESS || s.is_null() {
            return Err(format!("hyperscan scratch allocation failed ({rc})"));
        }
        Ok(Scratch(s))
    }

    fn give_back(&self, s: Scratch) {
        match self.pool.lock() {
            Ok(mut pool) => pool.push(s),
            // A poisoned pool (a panic elsewhere while holding it): free instead of reuse.
            // SAFETY: `s` is a scratch this pool allocated and no scan is using.
            Err(_) => unsafe {
                hs_free_scratch(s.0);
            },
        }
    }

    /// Appends every keyword occurrence in `data` to `hits`, ordered by end offset.
    /// Returns false (appending nothing) when `data` is too long for one block scan
    /// (4 GiB) or Hyperscan fails; the caller then uses its own matcher.
    pub(crate) fn find(&self, data: &[u8], hits: &mut Vec<Hit>) -> bool {
        let Ok(len) = c_uint::try_from(data.len()) else {
            return false;
        };
        let taken = self.pool.lock().ok().and_then(|mut p| p.pop());
        let scratch = match taken {
            Some(s) => s,
            None => match self.alloc_scratch() {
                Ok(s) => s,
                Err(_) => return false,
            },
        };
        let before = hits.len();
        // SAFETY: `self.db` is valid; `data` is readable for `len` bytes; `scratch` was
        // allocated for this database and only this call uses it; the context is a
        // `Vec<Hit>` that outlives the call and `on_match` is the only code touching it.
        let rc = unsafe {
            hs_scan(
                self.db,
                data.as_ptr().cast(),
                len,
                0,
                scratch.0,
                on_match,
                ptr::from_mut(hits).cast(),
            )
        };
        self.give_back(scratch);
        if rc != HS_SUCCESS {
            hits.truncate(before);
            return false;
        }
        if let Some(new) = hits.get_mut(before..)
            && !new.is_sorted_by_key(|h| h.end)
        {
            new.sort_unstable();
        }
        true
    }
}

/// Hyperscan's match callback: records one hit and continues the scan.
unsafe extern "C" fn on_match(
    id: c_uint,
    _from: c_ulonglong,
    to: c_ulonglong,
    _flags: c_uint,
    context: *mut c_void,
) -> c_int {
    // SAFETY: `context` is the `&mut Vec<Hit>` passed to `hs_scan` in `Literals::find`,
    // exclusively borrowed for the duration of the scan.
    let hits = unsafe { &mut *context.cast::<Vec<Hit>>() };
    if let Ok(end) = usize::try_from(to) {
        hits.push(Hit { end, keyword: id });
    }
    0
}

impl Drop for Literals {
    fn drop(&mut self) {
        let scratches = match self.pool.get_mut() {
            Ok(p) => std::mem::take(p),
            Err(poisoned) => std::mem::take(poisoned.into_inner()),
        };
        for s in scratches {
            // SAFETY: every pooled scratch was allocated by this database and is unused.
            unsafe { hs_free_scratch(s.0) };
        }
        // SAFETY: `db` came from hs_compile_lit_multi, is freed once, and no scan runs
        // (we hold `&mut self`).
        unsafe { hs_free_database(self.db) };
    }
}
