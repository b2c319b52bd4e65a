//! The newest job for a worker, and nothing older: a slot that a newer job
//! replaces, so that work a later save has made useless is never queued,
//! and a worker can ask, between the stages of a job, whether it was
//! superseded meanwhile.

use std::sync::{Condvar, Mutex};

/// One waiting job at most, the newest; and the number of the newest job
/// ever submitted.
pub struct Latest<T> {
    slot: Mutex<Slot<T>>,
    ready: Condvar,
}

struct Slot<T> {
    waiting: Option<(u64, T)>,
    newest: u64,
    /// The newest job withdrawn (0: none).
    withdrawn: u64,
    closed: bool,
}

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Latest {
            slot: Mutex::new(Slot {
                waiting: None,
                newest: 0,
                withdrawn: 0,
                closed: false,
            }),
            ready: Condvar::new(),
        }
    }
}

impl<T> Latest<T> {
    fn slot(&self) -> std::sync::MutexGuard<'_, Slot<T>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Submits job number `generation` (numbers grow), replacing the job
    /// still waiting, if any; returns the number of the job it replaced.
    pub fn submit(&self, generation: u64, job: T) -> Option<u64> {
        let mut slot = self.slot();
        slot.newest = slot.newest.max(generation);
        let replaced = slot.waiting.replace((generation, job)).map(|(g, _)| g);
        self.ready.notify_all();
        replaced
    }

    /// Waits for a job and takes it; `None` once closed.
    pub fn take(&self) -> Option<(u64, T)> {
        let mut slot = self.slot();
        loop {
            if slot.closed {
                return None;
            }
            if let Some(job) = slot.waiting.take() {
                return Some(job);
            }
            slot = self.ready.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Whether a job newer than `generation` was submitted, or job
    /// `generation` was withdrawn.
    pub fn superseded(&self, generation: u64) -> bool {
        let slot = self.slot();
        slot.newest > generation || slot.withdrawn == generation
    }

    /// Withdraws job `generation`: taken from the slot if it waits there,
    /// and [`Latest::superseded`] if it was taken already.
    pub fn withdraw(&self, generation: u64) {
        let mut slot = self.slot();
        slot.withdrawn = generation;
        if slot.waiting.as_ref().is_some_and(|(g, _)| *g == generation) {
            slot.waiting = None;
        }
    }

    /// Whether a job is waiting.
    pub fn is_waiting(&self) -> bool {
        self.slot().waiting.is_some()
    }

    /// Stops the worker: `take` returns `None` from now on.
    pub fn close(&self) {
        self.slot().closed = true;
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::Latest;
    use std::sync::Arc;

    #[test]
    fn a_newer_job_replaces_the_waiting_one() {
        let latest = Latest::default();
        assert_eq!(latest.submit(1, "one"), None);
        assert_eq!(latest.submit(2, "two"), Some(1));
        assert_eq!(latest.submit(3, "three"), Some(2));
        assert!(latest.is_waiting());
        assert_eq!(latest.take(), Some((3, "three")));
        assert!(!latest.is_waiting(), "the older jobs were never queued");
    }

    #[test]
    fn a_job_in_progress_learns_that_it_was_superseded() {
        let latest = Latest::default();
        latest.submit(4, ());
        let (generation, ()) = latest.take().unwrap();
        assert!(!latest.superseded(generation));
        latest.submit(5, ());
        assert!(latest.superseded(generation));
        assert!(!latest.superseded(5));
    }

    #[test]
    fn a_withdrawn_job_is_never_taken_and_counts_as_superseded() {
        let latest = Latest::default();
        latest.submit(1, "one");
        latest.withdraw(1);
        assert!(!latest.is_waiting(), "taken out of the slot");
        assert!(latest.superseded(1));
        // Withdrawn after it was taken: the worker learns it between stages.
        latest.submit(2, "two");
        assert_eq!(latest.take(), Some((2, "two")));
        assert!(!latest.superseded(2));
        latest.withdraw(2);
        assert!(latest.superseded(2));
        // The next job is not touched.
        latest.submit(3, "three");
        assert!(!latest.superseded(3));
        assert_eq!(latest.take(), Some((3, "three")));
    }

    #[test]
    fn the_worker_waits_for_a_job_and_stops_when_closed() {
        let latest = Arc::new(Latest::default());
        let worker = {
            let latest = latest.clone();
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while let Some((generation, job)) = latest.take() {
                    seen.push((generation, job));
                    if generation == 2 {
                        break;
                    }
                }
                seen
            })
        };
        latest.submit(1, 'a');
        // Taken or replaced: either way the worker ends with job 2.
        latest.submit(2, 'b');
        let seen = worker.join().unwrap();
        assert_eq!(seen.last(), Some(&(2, 'b')));
        assert!(seen.len() <= 2);

        let closing = {
            let latest = latest.clone();
            std::thread::spawn(move || latest.take())
        };
        latest.close();
        assert_eq!(closing.join().unwrap(), None);
    }
}
