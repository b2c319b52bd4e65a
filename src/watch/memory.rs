//! Typst's memoised work in a long-lived process, bounded by size.
//!
//! Typst memoises its work in one cache for the whole process (comemo);
//! `comemo::evict(n)` drops what the last `n` evictions did not use. A
//! count of compiles says nothing of their size: ten compiles of a book
//! whose every page was laid out again weigh ten books. So the typesetter
//! measures instead: the peak resident memory of the process at the end of
//! its first compile (a cold one, as `build --pdf --draft` makes) is the
//! reference, and after each compile the cache keeps older work only while
//! the process stays well under it, the last compile's work while the
//! process stays within 1.15 times it, and nothing beyond ([`Budget`]). A compile that lays out the whole book again
//! starts from an empty cache ([`crate::render::typst::Changes::is_whole_book`]),
//! so that it never holds two books at once.
//!
//! Input: the resident memory of the process (Linux: `/proc/self/statm`
//! and `/proc/self/status`; elsewhere unknown, and the cache keeps the last
//! compile's work only). Output: how much of the cache to keep.

/// The resident memory of this process, in bytes.
pub fn resident() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// The peak resident memory of this process so far, in bytes.
pub fn peak() -> Option<u64> {
    status_kib("VmHWM:").map(|kib| kib * 1024)
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn page_size() -> u64 {
    #[cfg(unix)]
    {
        // SAFETY: sysconf only reads a system constant.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if size > 0 {
            return size as u64;
        }
    }
    4096
}

/// Gives the memory freed by an eviction back to the system, from this
/// thread and from every thread of `pool` (Typst's) and of rayon's global
/// pool (the site's). An allocator keeps freed memory for later, in pages
/// of the thread that allocated it: a process that evicted half its cache
/// would otherwise look, to the system, as large as before, and stay so
/// while idle.
pub fn trim(pool: Option<&rayon::ThreadPool>) {
    collect_thread();
    if let Some(pool) = pool {
        pool.broadcast(|_| collect_thread());
    }
    rayon::broadcast(|_| collect_thread());
    // The C library's allocator (that of a program linking this library,
    // and of the C code in any case) trims every arena at once.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// mimalloc's free pages of the calling thread's heap back to the system
/// (the binary allocates with mimalloc, `src/main.rs`; its pages belong to
/// the heap of each thread).
fn collect_thread() {
    // SAFETY: mi_collect only frees mimalloc's unused pages, of its heaps
    // if it is not the global allocator.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

/// How much of Typst's cache to keep after a compile, from the resident
/// memory of the process (a pure policy: the numbers are passed in).
#[derive(Debug, Clone, Default)]
pub struct Budget {
    /// The peak resident memory at the end of the first compile (a cold
    /// one): the memory one build of the book takes.
    reference: Option<u64>,
}

/// What to evict after a compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Keep what the last `n` compiles used (`comemo::evict(n)`).
    KeepRecent(usize),
    /// Empty the cache: the next compile is a cold one.
    Clear,
}

/// While the process stays under this share of the reference, the cache
/// keeps the work of a few compiles: undoing an edit finds its layout.
const ROOMY: f64 = 0.75;
/// How many compiles' work a roomy cache keeps.
const RECENT: usize = 4;
/// After an eviction the process must be under this share of the
/// reference, or the cache is emptied. The cache of a cold compile holds
/// nearly all of the reference, and a compile in flight adds to what is
/// kept: at 1.35 (measured on a 1,842-page book with the text citations)
/// the peak over paragraph edits, autosaves and metadata edits was 1.61
/// times a cold build's; at 1.15 it is 1.42, with a paragraph's preview
/// 0.85 s instead of 0.71 s (bench/README.md). A whole-book change starts
/// from an empty cache.
const RETAINED: f64 = 1.15;

impl Budget {
    /// The reference, once known: the peak resident memory of the process
    /// at the end of its first compile.
    pub fn reference(&self) -> Option<u64> {
        self.reference
    }

    /// The first eviction after a compile, given the resident memory and
    /// the peak so far (bytes; `None` where unknown). The first call sets
    /// the reference.
    pub fn after_compile(&mut self, resident: Option<u64>, peak: Option<u64>) -> Eviction {
        if self.reference.is_none() {
            self.reference = peak.or(resident);
        }
        match (resident, self.reference) {
            (Some(now), Some(reference)) if (now as f64) <= ROOMY * reference as f64 => {
                Eviction::KeepRecent(RECENT)
            }
            _ => Eviction::KeepRecent(1),
        }
    }

    /// After the first eviction (and [`trim`]): whether the cache must be
    /// emptied, given the resident memory now.
    pub fn still_over(&self, resident: Option<u64>) -> bool {
        match (resident, self.reference) {
            (Some(now), Some(reference)) => now as f64 > RETAINED * reference as f64,
            _ => false,
        }
    }
}

/// Empties Typst's cache before a compile that lays out the whole book
/// again, without giving the memory back: the compile is about to use as
/// much, and trimming first would cost a second on a large book only for
/// the system to hand the same pages back at once.
pub fn clear_before_compile() {
    typst::comemo::evict(0);
}

/// Applies an eviction to Typst's cache and gives the memory back (see
/// [`trim`] for `pool`).
pub fn evict(eviction: Eviction, pool: Option<&rayon::ThreadPool>) {
    match eviction {
        Eviction::KeepRecent(n) => typst::comemo::evict(n),
        Eviction::Clear => typst::comemo::evict(0),
    }
    trim(pool);
}

/// The whole policy after a compile: evicts by size, as [`Budget`] says,
/// and returns what it did.
pub fn after_compile(budget: &mut Budget, pool: Option<&rayon::ThreadPool>) -> Eviction {
    let first = budget.after_compile(resident(), peak());
    evict(first, pool);
    if budget.still_over(resident()) {
        evict(Eviction::Clear, pool);
        return Eviction::Clear;
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    #[test]
    fn the_first_compile_sets_the_reference_from_the_peak() {
        let mut budget = Budget::default();
        assert_eq!(budget.reference(), None);
        budget.after_compile(Some(900 * MB), Some(1000 * MB));
        assert_eq!(budget.reference(), Some(1000 * MB));
        // Later peaks do not move it.
        budget.after_compile(Some(900 * MB), Some(3000 * MB));
        assert_eq!(budget.reference(), Some(1000 * MB));
    }

    #[test]
    fn older_work_is_kept_only_while_there_is_room() {
        let mut budget = Budget::default();
        budget.after_compile(Some(600 * MB), Some(1000 * MB));
        assert_eq!(
            budget.after_compile(Some(700 * MB), None),
            Eviction::KeepRecent(RECENT)
        );
        assert_eq!(
            budget.after_compile(Some(750 * MB), None),
            Eviction::KeepRecent(RECENT)
        );
        assert_eq!(
            budget.after_compile(Some(751 * MB), None),
            Eviction::KeepRecent(1),
            "past three quarters of a build: the last compile's work only"
        );
        assert_eq!(
            budget.after_compile(Some(5000 * MB), None),
            Eviction::KeepRecent(1)
        );
    }

    #[test]
    fn the_cache_is_emptied_when_even_the_last_compile_does_not_fit() {
        let mut budget = Budget::default();
        budget.after_compile(Some(800 * MB), Some(1000 * MB));
        assert!(!budget.still_over(Some(1000 * MB)));
        assert!(!budget.still_over(Some(1150 * MB)));
        assert!(budget.still_over(Some(1151 * MB)));
    }

    #[test]
    fn unknown_memory_keeps_the_last_compile_only() {
        let mut budget = Budget::default();
        assert_eq!(budget.after_compile(None, None), Eviction::KeepRecent(1));
        assert_eq!(budget.after_compile(None, None), Eviction::KeepRecent(1));
        assert!(!budget.still_over(None));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_is_measured() {
        let resident = resident().expect("/proc/self/statm");
        let peak = peak().expect("/proc/self/status");
        assert!(resident > 0);
        assert!(peak >= resident, "{peak} {resident}");
    }
}
