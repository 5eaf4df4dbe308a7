//! Counting readers that enforce [`Limits`]: total uncompressed bytes and the
//! compression ratio of each stream (decompression-bomb guard).

use crate::Limits;
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Which limit stopped a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tripped {
    /// [`Limits::max_total_uncompressed`].
    Total,
    /// [`Limits::max_ratio`].
    Ratio,
}

/// Shared counters of one walk.
#[derive(Debug)]
pub(crate) struct Meter {
    max_total: u64,
    max_ratio: u64,
    grace: u64,
    total: Cell<u64>,
    stream_in: Cell<u64>,
    stream_out: Cell<u64>,
    /// The compressed size is fixed (zip members) rather than counted.
    fixed_in: Cell<Option<u64>>,
    check_ratio: Cell<bool>,
    tripped: Cell<Option<Tripped>>,
    io_failed: Cell<bool>,
}

impl Meter {
    pub(crate) fn new(limits: &Limits) -> Rc<Meter> {
        Rc::new(Meter {
            max_total: limits.max_total_uncompressed,
            max_ratio: limits.max_ratio.max(1),
            grace: limits.ratio_grace,
            total: Cell::new(0),
            stream_in: Cell::new(0),
            stream_out: Cell::new(0),
            fixed_in: Cell::new(None),
            check_ratio: Cell::new(false),
            tripped: Cell::new(None),
            io_failed: Cell::new(false),
        })
    }

    /// Starts a new stream. `compressed` is `Some(n)` when the compressed size is known up
    /// front, `None` when a [`CountIn`] counts it; `check_ratio` false for plain files.
    pub(crate) fn start(&self, compressed: Option<u64>, check_ratio: bool) {
        self.stream_in.set(0);
        self.stream_out.set(0);
        self.fixed_in.set(compressed);
        self.check_ratio.set(check_ratio);
        self.io_failed.set(false);
        if self.tripped.get() == Some(Tripped::Ratio) {
            self.tripped.set(None);
        }
    }

    /// Uncompressed bytes read so far, over the whole walk.
    pub(crate) fn total(&self) -> u64 {
        self.total.get()
    }

    /// The limit that stopped the current stream, if any.
    pub(crate) fn tripped(&self) -> Option<Tripped> {
        self.tripped.get()
    }

    /// Whether the current stream failed to read or decode.
    pub(crate) fn failed(&self) -> bool {
        self.io_failed.get() || self.tripped.get().is_some()
    }

    fn take_output(&self, n: u64) -> Option<Tripped> {
        self.total.set(self.total.get().saturating_add(n));
        let out = self.stream_out.get().saturating_add(n);
        self.stream_out.set(out);
        if self.total.get() > self.max_total {
            self.tripped.set(Some(Tripped::Total));
        } else if self.check_ratio.get() && out > self.grace {
            let input = self.fixed_in.get().unwrap_or(self.stream_in.get()).max(1);
            if out / input >= self.max_ratio {
                self.tripped.set(Some(Tripped::Ratio));
            }
        }
        self.tripped.get()
    }
}

fn limit_error(t: Tripped) -> io::Error {
    io::Error::other(match t {
        Tripped::Total => "total uncompressed size limit reached",
        Tripped::Ratio => "compression ratio limit reached",
    })
}

/// Counts the compressed bytes of a stream.
pub(crate) struct CountIn<R> {
    pub(crate) inner: R,
    pub(crate) meter: Rc<Meter>,
}

impl<R: Read> Read for CountIn<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                let m = &self.meter;
                m.stream_in.set(m.stream_in.get().saturating_add(n as u64));
                Ok(n)
            }
            Err(e) => {
                self.meter.io_failed.set(true);
                Err(e)
            }
        }
    }
}

/// Counts uncompressed bytes and fails once a limit is reached.
pub(crate) struct GuardOut<R> {
    pub(crate) inner: R,
    pub(crate) meter: Rc<Meter>,
}

impl<R: Read> Read for GuardOut<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(t) = self.meter.tripped.get() {
            return Err(limit_error(t));
        }
        match self.inner.read(buf) {
            Ok(n) => match self.meter.take_output(n as u64) {
                Some(t) => Err(limit_error(t)),
                None => Ok(n),
            },
            Err(e) => {
                self.meter.io_failed.set(true);
                Err(e)
            }
        }
    }
}
