//! Counts what the calling thread allocates, so that a test can say how work grows
//! with its input by counts, which do not drift with the machine's speed as times do.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// (allocations, bytes) made by this thread.
    static COUNT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn count(bytes: usize) {
    // `try_with`: the allocator also runs while the thread's locals are torn down.
    let _ = COUNT.try_with(|c| {
        let (n, total) = c.get();
        c.set((n + 1, total + bytes as u64));
    });
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` allocated on this thread: (allocations, bytes).
pub fn allocated_by<T>(f: impl FnOnce() -> T) -> (u64, u64) {
    let before = COUNT.with(Cell::get);
    drop(f());
    let after = COUNT.with(Cell::get);
    (after.0 - before.0, after.1 - before.1)
}
