//! Two jobs at once: one on another core while this thread does the other.

/// Runs `there` on a thread of its own while `here` runs on this one, and returns
/// both results; a panic on the other thread goes on here. Not `rayon::join`: called
/// from outside rayon's pool, it would run both jobs on pool threads, which the
/// parallel loops inside them (export, preflight) need.
pub fn beside<A: Send, B>(there: impl FnOnce() -> A + Send, here: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let there = scope.spawn(there);
        let here = here();
        let there = there
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (there, here)
    })
}

#[cfg(test)]
mod tests {
    use super::beside;

    #[test]
    fn both_results_come_back_in_order() {
        let data = [1, 2, 3];
        let (sum, len) = beside(|| data.iter().sum::<i32>(), || data.len());
        assert_eq!((sum, len), (6, 3));
    }

    #[test]
    #[should_panic(expected = "from the other thread")]
    fn a_panic_on_the_other_thread_goes_on_here() {
        beside(|| panic!("from the other thread"), || ());
    }
}
